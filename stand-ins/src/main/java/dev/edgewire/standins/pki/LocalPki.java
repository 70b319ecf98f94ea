package dev.edgewire.standins.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local certificate authority: a CA, a server certificate for {@code localhost} and
 * {@code 127.0.0.1}, one client certificate per thing (common name = thing name) and one for an
 * observer, as PEM files under the state folder. Created on first start, reused after; private keys
 * are owner-only.
 */
public final class LocalPki {

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(825);
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private final Path root;
    private final Identity ca;
    private final Identity server;

    /** A certificate and its private key, and where both live on disk. */
    public record Identity(X509Certificate certificate, PrivateKey privateKey, Path certificateFile, Path privateKeyFile) {
    }

    private LocalPki(Path root, Identity ca, Identity server) {
        this.root = root;
        this.ca = ca;
        this.server = server;
    }

    /** Loads the CA and server identity under {@code root}, creating whatever is missing. */
    public static LocalPki openOrCreate(Path root) throws IOException, GeneralSecurityException {
        Files.createDirectories(root);
        Path caCert = root.resolve("ca.pem");
        Path caKey = root.resolve("ca.key");
        Identity ca;
        if (Files.exists(caCert) && Files.exists(caKey)) {
            ca = load(caCert, caKey);
        } else {
            KeyPair keys = newKeyPair();
            X500Name name = new X500Name("CN=edgewire local CA,O=edgewire");
            X509Certificate cert = sign(name, keys.getPublic(), name, keys.getPrivate(), CA_VALIDITY, true, null, null);
            ca = store(new Identity(cert, keys.getPrivate(), caCert, caKey));
        }
        LocalPki pki = new LocalPki(root, ca, null);
        Identity server = pki.issueIfMissing(root.resolve("server.pem"), root.resolve("server.key"), "localhost",
                KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.iPAddress, "::1")}));
        return new LocalPki(root, ca, server);
    }

    public Identity ca() {
        return ca;
    }

    public Identity server() {
        return server;
    }

    /** The client identity of a thing under {@code things/<name>/}, created on first use. */
    public Identity thing(String thingName) throws IOException, GeneralSecurityException {
        Path dir = root.resolve("things").resolve(thingName);
        return issueIfMissing(dir.resolve("certificate.pem"), dir.resolve("private.key"), thingName,
                KeyPurposeId.id_kp_clientAuth, null);
    }

    /**
     * A client identity that is no thing's, under {@code observer/} beside {@code things/}, created on
     * first use; {@code commonName} is its client id.
     */
    public Identity observer(String commonName) throws IOException, GeneralSecurityException {
        Path dir = root.resolve("observer");
        return issueIfMissing(dir.resolve("certificate.pem"), dir.resolve("private.key"), commonName,
                KeyPurposeId.id_kp_clientAuth, null);
    }

    /**
     * A client identity signed by a CA that is not this one: what a stranger's device holds.
     * Kept in memory only; for tests of rejection.
     */
    public static Identity foreignClient(String commonName) throws GeneralSecurityException {
        KeyPair caKeys = newKeyPair();
        X500Name caName = new X500Name("CN=some other CA");
        KeyPair keys = newKeyPair();
        X509Certificate cert = sign(new X500Name("CN=" + commonName), keys.getPublic(), caName, caKeys.getPrivate(),
                LEAF_VALIDITY, false, KeyPurposeId.id_kp_clientAuth, null);
        return new Identity(cert, keys.getPrivate(), null, null);
    }

    /** The id IoT Core gives a certificate: the SHA-256 of its DER encoding, in lowercase hex. */
    public static String certificateId(X509Certificate certificate) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return java.util.HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The common name of a certificate's subject, or {@code null} if it has none. */
    public static String commonName(X509Certificate certificate) {
        X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        var rdns = name.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        return rdns.length == 0 ? null : rdns[0].getFirst().getValue().toString();
    }

    /** A key store holding one identity with its chain up to this CA. */
    public KeyStore keyStore(Identity identity, char[] password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("identity", identity.privateKey(), password,
                new X509Certificate[] {identity.certificate(), ca.certificate()});
        return store;
    }

    /** A trust store holding only this CA. */
    public KeyStore trustStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("edgewire-local-ca", ca.certificate());
        return store;
    }

    /** Key managers that present {@code identity}'s certificate, as a device or a client does. */
    public static KeyManagerFactory keyManagers(Identity identity) throws GeneralSecurityException, IOException {
        char[] password = new char[0];
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("identity", identity.privateKey(), password, new X509Certificate[] {identity.certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, password);
        return factory;
    }

    /** Trust managers that trust this CA, and only it. */
    public TrustManagerFactory trustManagers() throws GeneralSecurityException, IOException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore());
        return factory;
    }

    /** A client's TLS context that trusts this CA and presents {@code identity}, or no certificate if it is null. */
    public SSLContext clientContext(Identity identity) throws GeneralSecurityException, IOException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(identity == null ? null : keyManagers(identity).getKeyManagers(), trustManagers().getTrustManagers(),
                null);
        return context;
    }

    /** A server's TLS context: it presents the server certificate and trusts client certificates of this CA. */
    public SSLContext serverContext() throws GeneralSecurityException, IOException {
        char[] password = new char[0];
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore(server, password), password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trustManagers().getTrustManagers(), null);
        return context;
    }

    private Identity issueIfMissing(Path certFile, Path keyFile, String commonName, KeyPurposeId purpose,
            GeneralNames altNames) throws IOException, GeneralSecurityException {
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            return load(certFile, keyFile);
        }
        KeyPair keys = newKeyPair();
        X509Certificate cert = sign(new X500Name("CN=" + commonName), keys.getPublic(),
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                ca.privateKey(), LEAF_VALIDITY, false, purpose, altNames);
        return store(new Identity(cert, keys.getPrivate(), certFile, keyFile));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, PublicKey publicKey, X500Name issuer, PrivateKey issuerKey,
            Duration validity, boolean isCa, KeyPurposeId purpose, GeneralNames altNames) throws GeneralSecurityException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(validity)), subject, publicKey);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            if (altNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            var signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign certificate for " + subject, e);
        }
    }

    private static Identity store(Identity identity) throws IOException {
        Files.createDirectories(identity.certificateFile().getParent());
        Files.writeString(identity.certificateFile(), pem(identity.certificate()));
        Path key = identity.privateKeyFile();
        // PKCS#8 ("BEGIN PRIVATE KEY"), which openssl, curl, mosquitto and Java all read.
        try {
            writeOwnerOnly(key, pem(new JcaPKCS8Generator(identity.privateKey(), null).generate()));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IOException("cannot encode private key " + key, e);
        }
        return identity;
    }

    /**
     * Writes a secret to a file that only its owner may read, created with those permissions so it is
     * never readable by others, not even for a moment.
     */
    public static void writeOwnerOnly(Path file, String content) throws IOException {
        writeOwnerOnly(file, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@link #writeOwnerOnly(Path, String)} for bytes. */
    public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.write(file, content);
    }

    /**
     * Creates {@code dir} (and its parents) if missing, and makes it owner-only ({@code 0700}), so what
     * is kept in it (keys, tokens, stores) is not even listed for others.
     */
    public static Path ownerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // Not a POSIX file system: its own access rules apply.
        }
        return dir;
    }

    private static Identity load(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        X509Certificate cert;
        try (Reader reader = Files.newBufferedReader(certFile); PEMParser parser = new PEMParser(reader)) {
            cert = new JcaX509CertificateConverter().getCertificate(
                    (org.bouncycastle.cert.X509CertificateHolder) parser.readObject());
        }
        PrivateKey key;
        try (Reader reader = Files.newBufferedReader(keyFile); PEMParser parser = new PEMParser(reader)) {
            Object parsed = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            key = parsed instanceof PEMKeyPair pair ? converter.getKeyPair(pair).getPrivate()
                    : converter.getPrivateKey((PrivateKeyInfo) parsed);
        }
        return new Identity(cert, key, certFile, keyFile);
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

}
