package dev.edgewire.device.tls;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.cloud.Setting;
import dev.edgewire.device.cloud.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The device's TLS identity and trust, read from PEM files as AWS IoT Core and local mode hand
 * them out: a CA certificate, a client certificate (chain) and its private key.
 */
public record TlsMaterial(TrustManagerFactory trustManagers, KeyManagerFactory keyManagers) {

    /** Classpath location of the bundled Amazon Root CA 1 certificate. */
    public static final String AMAZON_ROOT_CA_1 = "/dev/edgewire/device/AmazonRootCA1.pem";

    private static final char[] IN_MEMORY_PASSWORD = "edgewire".toCharArray();

    /** Trust and identity for a target; a client certificate and key are required. */
    public static TlsMaterial forTarget(Target target) {
        if (target.certFile() == null || target.keyFile() == null) {
            throw new DeviceException(ExitCodes.UNREACHABLE,
                    "No client certificate: the target requires mutual TLS. Give " + Setting.CERT_FILE.flag()
                            + " and " + Setting.KEY_FILE.flag() + " (or " + Setting.CERT_FILE.envVar() + " and "
                            + Setting.KEY_FILE.envVar() + ", or an outputs file with CertificateFile and PrivateKeyFile).");
        }
        return new TlsMaterial(trustManagers(target.caFile()), keyManagers(target.certFile(), target.keyFile()));
    }

    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new DeviceException(ExitCodes.UNREACHABLE, "Could not set up TLS: " + e.getMessage(), e);
        }
    }

    /** Trust exactly the CA certificates in {@code caFile}, or the bundled Amazon Root CA 1 when null. */
    public static TrustManagerFactory trustManagers(Path caFile) {
        List<X509Certificate> cas;
        if (caFile == null) {
            try (InputStream in = TlsMaterial.class.getResourceAsStream(AMAZON_ROOT_CA_1)) {
                if (in == null) {
                    throw new IllegalStateException("bundled " + AMAZON_ROOT_CA_1 + " is missing from the jar");
                }
                cas = certificates(new InputStreamReader(in, StandardCharsets.US_ASCII), "the bundled Amazon Root CA 1");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            cas = certificates(caFile, "CA certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new DeviceException(ExitCodes.UNREACHABLE, "Could not load the CA certificate: " + e.getMessage(), e);
        }
    }

    public static KeyManagerFactory keyManagers(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile, "client certificate");
        PrivateKey key = privateKey(keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("device", key, IN_MEMORY_PASSWORD, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, IN_MEMORY_PASSWORD);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new DeviceException(ExitCodes.USAGE, "The private key " + keyFile
                    + " does not go with the certificate " + certFile + ": " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> certificates(Path file, String what) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return certificates(reader, what + " " + file);
        } catch (NoSuchFileException e) {
            throw DeviceException.usage(capitalise(what) + " file not found: " + file);
        } catch (IOException e) {
            throw DeviceException.usage("Could not read " + what + " " + file + ": " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(Reader reader, String what) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(reader)) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw DeviceException.usage(capitalise(what) + " is not a PEM certificate: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw DeviceException.usage(capitalise(what) + " holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }
        return certificates;
    }

    /** Reads a PKCS#8 ({@code BEGIN PRIVATE KEY}) or traditional RSA/EC PEM private key. */
    public static PrivateKey privateKey(Path file) {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            Object item = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (item instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (item instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw DeviceException.usage("Private key file " + file
                    + " holds no unencrypted PEM private key (expected a PKCS#8 \"BEGIN PRIVATE KEY\" block, or a traditional RSA or EC one).");
        } catch (NoSuchFileException e) {
            throw DeviceException.usage("Private key file not found: " + file);
        } catch (IOException e) {
            throw DeviceException.usage("Could not read private key " + file + ": " + e.getMessage());
        }
    }

    private static String capitalise(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
