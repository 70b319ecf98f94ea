package dev.edgewire.device.command;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.cloud.TargetOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.DescribeCertificateResponse;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "The device's key pair and certificate.",
        subcommands = {KeysCommand.Create.class, KeysCommand.FetchCertificate.class})
public final class KeysCommand {

    /** Writes a file that only its owner may read, creating it with those permissions so it is never briefly readable. */
    static void writeOwnerOnly(Path file, byte[] content, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString());
        }
        Files.deleteIfExists(file);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.write(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------"))), content, StandardOpenOption.WRITE);
        } else {
            Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a private key (owner-only file) and a certificate signing request whose common "
                    + "name is the thing name.",
                    "Hand the CSR to `cdk deploy` (or `aws iot create-certificate-from-csr`); the key never leaves this machine."})
    public static final class Create implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        TargetOptions target;

        @Option(names = "--algorithm", defaultValue = "ec", description = "ec (P-256) or rsa (2048 bits) (default: ${DEFAULT-VALUE}).")
        String algorithm;

        @Option(names = "--dir", defaultValue = ".", paramLabel = "DIR",
                description = "Write THING.private.key and THING.csr here (default: the current folder).")
        Path dir;

        @Option(names = "--force", description = "Overwrite an existing key and CSR.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Target resolved = target.resolve();
            String thing = resolved.thingName();
            KeyPair keys = keyPair(algorithm);
            PKCS10CertificationRequest csr = csr(thing, keys);
            Files.createDirectories(dir);
            Path keyFile = dir.resolve(thing + ".private.key");
            Path csrFile = dir.resolve(thing + ".csr");
            try {
                writeOwnerOnly(keyFile, pem(new JcaPKCS8Generator(keys.getPrivate(), null)), force);
            } catch (FileAlreadyExistsException e) {
                throw DeviceException.usage(keyFile + " already exists; pass --force to replace it.");
            }
            Files.write(csrFile, pem(csr));
            PrintWriter out = spec.commandLine().getOut();
            out.println("private key: " + keyFile + " (owner read/write only)");
            out.println("CSR (CN=" + thing + "): " + csrFile);
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** An EC P-256 or RSA 2048 key pair, the two key types AWS IoT Core signs certificates for here. */
    public static KeyPair keyPair(String algorithm) throws GeneralSecurityException {
        switch (algorithm.toLowerCase(java.util.Locale.ROOT)) {
            case "ec" -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                return generator.generateKeyPair();
            }
            case "rsa" -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                return generator.generateKeyPair();
            }
            default -> throw DeviceException.usage("--algorithm must be ec or rsa, not " + algorithm);
        }
    }

    /** A PKCS#10 request with subject CN = the thing name, signed by the key. */
    public static PKCS10CertificationRequest csr(String thingName, KeyPair keys) throws OperatorCreationException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, thingName).build();
        String signature = keys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                .build(new JcaContentSignerBuilder(signature).build(keys.getPrivate()));
    }

    static byte[] pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            if (object instanceof JcaPKCS8Generator generator) {
                writer.writeObject(generator.generate());
            } else {
                writer.writeObject(object);
            }
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Command(name = "fetch-certificate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Fetch the thing's signed certificate from AWS IoT Core (DescribeCertificate) after `cdk deploy`.",
                    "Uses the default AWS credentials chain; the certificate id comes from --certificate-id, "
                            + "EDGEWIRE_CERTIFICATE_ID or the outputs file's CertificateId."})
    public static final class FetchCertificate implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        TargetOptions target;

        @Option(names = "--region", defaultValue = "${env:AWS_REGION}", description = "AWS region (default: env AWS_REGION).")
        String region;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the certificate here (default: THING.cert.pem).")
        Path out;

        @Override
        public Integer call() throws IOException {
            Target resolved = target.resolve();
            if (resolved.certificateId() == null) {
                throw DeviceException.usage("No certificate id: give --certificate-id, set EDGEWIRE_CERTIFICATE_ID, "
                        + "or pass --outputs with a CertificateId output.");
            }
            if (region == null || region.isBlank()) {
                throw DeviceException.usage("No AWS region: give --region or set AWS_REGION.");
            }
            Path file = out != null ? out : Path.of(resolved.thingName() + ".cert.pem");
            DescribeCertificateResponse response;
            try (IotClient iot = IotClient.builder().region(Region.of(region))
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                response = iot.describeCertificate(r -> r.certificateId(resolved.certificateId()));
            } catch (SdkException e) {
                throw new DeviceException(ExitCodes.UNREACHABLE, "DescribeCertificate " + resolved.certificateId()
                        + " failed: " + e.getMessage(), e);
            }
            String pem = response.certificateDescription().certificatePem();
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
            PrintWriter printer = spec.commandLine().getOut();
            printer.println("certificate " + resolved.certificateId() + " (" + response.certificateDescription().statusAsString()
                    + "): " + file);
            printer.flush();
            return ExitCodes.OK;
        }
    }

}
