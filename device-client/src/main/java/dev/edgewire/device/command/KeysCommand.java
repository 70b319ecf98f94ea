package dev.edgewire.device.command;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
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
import software.amazon.awssdk.services.iot.model.CertificateDescription;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "The device's key pair and certificate.",
        subcommands = {KeysCommand.Create.class, KeysCommand.FetchCertificate.class})
public final class KeysCommand {

    /** What {@code keys create} names a thing's key and CSR, and {@code keys fetch-certificate} its certificate. */
    static final String PRIVATE_KEY_SUFFIX = ".private.key";
    static final String CSR_SUFFIX = ".csr";
    static final String CERTIFICATE_SUFFIX = ".cert.pem";

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
                    + "name is the thing name, for one thing (--thing) or for a fleet (--devices N).",
                    "Hand the CSR to `cdk deploy` (--context csrFile=DIR/THING.csr, or csrDir=DIR for the fleet) "
                            + "or `aws iot create-certificate-from-csr`; the keys never leave this machine."})
    public static final class Create implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        TargetOptions target;

        @Option(names = "--devices", paramLabel = "N",
                description = "Make a key and CSR for each of N devices, PREFIX1..PREFIXN, instead of the one --thing; "
                        + "at most " + Topology.MAX_THINGS_PER_DEPLOYMENT + ", what one deployment provisions.")
        Integer devices;

        @Option(names = "--device-prefix", defaultValue = "thing-", paramLabel = "PREFIX",
                description = "Name prefix of the devices of --devices (default: ${DEFAULT-VALUE}).")
        String devicePrefix;

        @Option(names = "--algorithm", defaultValue = "ec", description = "ec (P-256) or rsa (2048 bits) (default: ${DEFAULT-VALUE}).")
        String algorithm;

        @Option(names = "--dir", defaultValue = ".", paramLabel = "DIR",
                description = "Write THING.private.key and THING.csr here, for each thing (default: the current folder).")
        Path dir;

        @Option(names = "--force", description = "Overwrite existing keys and CSRs.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            List<String> things = things();
            // Refuse before writing anything, so a refused run leaves no half-made fleet behind.
            if (!force) {
                List<String> existing = things.stream().map(thing -> dir.resolve(thing + PRIVATE_KEY_SUFFIX))
                        .filter(Files::exists).map(Path::toString).toList();
                if (!existing.isEmpty()) {
                    throw DeviceException.usage(String.join(", ", existing)
                            + (existing.size() == 1 ? " already exists" : " already exist") + "; pass --force to replace.");
                }
            }
            Files.createDirectories(dir);
            PrintWriter out = spec.commandLine().getOut();
            for (String thing : things) {
                KeyPair keys = keyPair(algorithm);
                Path keyFile = dir.resolve(thing + PRIVATE_KEY_SUFFIX);
                Path csrFile = dir.resolve(thing + CSR_SUFFIX);
                try {
                    writeOwnerOnly(keyFile, pem(new JcaPKCS8Generator(keys.getPrivate(), null)), force);
                } catch (FileAlreadyExistsException e) {
                    throw DeviceException.usage(keyFile + " already exists; pass --force to replace it.");
                }
                Files.write(csrFile, pem(csr(thing, keys)));
                out.println("private key: " + keyFile + " (owner read/write only)");
                out.println("CSR (CN=" + thing + "): " + csrFile);
            }
            if (devices != null) {
                out.println(things.size() + " devices; deploy them with: cdk deploy --all --context csrDir=" + dir
                        + " --outputs-file cdk-outputs.json");
            }
            out.flush();
            return ExitCodes.OK;
        }

        private List<String> things() {
            boolean thingGiven = spec.commandLine().getParseResult().hasMatchedOption("--thing");
            boolean prefixGiven = spec.commandLine().getParseResult().hasMatchedOption("--device-prefix");
            if (devices == null) {
                if (prefixGiven) {
                    throw DeviceException.usage("--device-prefix names the devices of --devices N; give --devices too.");
                }
                return List.of(target.resolve().thingName());
            }
            if (thingGiven) {
                throw DeviceException.usage("Give --thing for one device or --devices N for a fleet, not both.");
            }
            if (devices < 1 || devices > Topology.MAX_THINGS_PER_DEPLOYMENT) {
                throw DeviceException.usage("--devices must be from 1 to " + Topology.MAX_THINGS_PER_DEPLOYMENT
                        + ", the most one deployment provisions (CloudFormation's 500 resources in a stack), not "
                        + devices + ".");
            }
            List<String> things = IntStream.rangeClosed(1, devices).mapToObj(i -> devicePrefix + i).toList();
            String last = things.getLast();
            if (!Outputs.THING_NAME_PATTERN.matcher(last).matches()) {
                throw DeviceException.usage("'" + last + "' is not a valid AWS IoT thing name (1-128 of a-z A-Z 0-9 : _ -); "
                        + "choose another --device-prefix.");
            }
            return things;
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
            description = {"Fetch the thing's signed certificate from AWS IoT Core (DescribeCertificate) after `cdk deploy`; "
                    + "with --all, every thing's.",
                    "Uses the default AWS credentials chain; the certificate id comes from --certificate-id, "
                            + "EDGEWIRE_CERTIFICATE_ID or the outputs file's CertificateId; with --all, from its "
                            + "ThingNames and CertificateIds."})
    public static final class FetchCertificate implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        TargetOptions target;

        @Option(names = "--region", defaultValue = "${env:AWS_REGION}", description = "AWS region (default: env AWS_REGION).")
        String region;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the certificate here (default: THING.cert.pem).")
        Path out;

        @Option(names = "--all", description = "Every thing of the outputs file (ThingNames, CertificateIds): "
                + "write DIR/THING.cert.pem for each, beside the keys of `keys create --devices N --dir DIR`.")
        boolean all;

        @Option(names = "--dir", defaultValue = ".", paramLabel = "DIR",
                description = "With --all, write the certificates here (default: the current folder).")
        Path dir;

        @Override
        public Integer call() throws IOException {
            if (all) {
                if (out != null) {
                    throw DeviceException.usage("--out names one certificate's file; with --all give --dir.");
                }
                Map<String, String> fleet = fleet(target.otherOutputs());
                requireRegion();
                try (IotClient iot = iot()) {
                    writeAll(fleet, dir, certificateId -> describe(iot, certificateId).certificatePem(),
                            spec.commandLine().getOut());
                }
                return ExitCodes.OK;
            }
            Target resolved = target.resolve();
            if (resolved.certificateId() == null) {
                throw DeviceException.usage("No certificate id: give --certificate-id, set EDGEWIRE_CERTIFICATE_ID, "
                        + "or pass --outputs with a CertificateId output.");
            }
            requireRegion();
            Path file = out != null ? out : Path.of(resolved.thingName() + CERTIFICATE_SUFFIX);
            CertificateDescription description;
            try (IotClient iot = iot()) {
                description = describe(iot, resolved.certificateId());
            }
            Files.writeString(file, description.certificatePem(), StandardCharsets.US_ASCII);
            PrintWriter printer = spec.commandLine().getOut();
            printer.println("certificate " + resolved.certificateId() + " (" + description.statusAsString()
                    + "): " + file);
            printer.flush();
            return ExitCodes.OK;
        }

        private void requireRegion() {
            if (region == null || region.isBlank()) {
                throw DeviceException.usage("No AWS region: give --region or set AWS_REGION.");
            }
        }

        private IotClient iot() {
            return IotClient.builder().region(Region.of(region)).httpClient(UrlConnectionHttpClient.create()).build();
        }

        private static CertificateDescription describe(IotClient iot, String certificateId) {
            try {
                return iot.describeCertificate(r -> r.certificateId(certificateId)).certificateDescription();
            } catch (SdkException e) {
                throw new DeviceException(ExitCodes.UNREACHABLE, "DescribeCertificate " + certificateId
                        + " failed: " + e.getMessage(), e);
            }
        }

        /**
         * Each thing of a deployment's outputs with its certificate id, in the outputs' order: the
         * comma-separated {@code ThingNames} and {@code CertificateIds} of the stateful stack.
         */
        static Map<String, String> fleet(Map<String, String> outputs) {
            String names = outputs.get(Outputs.THING_NAMES);
            String ids = outputs.get(Outputs.CERTIFICATE_IDS);
            if (names == null || names.isBlank() || ids == null || ids.isBlank()) {
                throw DeviceException.usage("--all needs the outputs file of `cdk deploy --outputs-file` (--outputs or "
                        + "EDGEWIRE_OUTPUTS) with the outputs " + Outputs.THING_NAMES + " and "
                        + Outputs.CERTIFICATE_IDS + ".");
            }
            List<String> things = List.of(names.split(","));
            List<String> certificates = List.of(ids.split(","));
            if (things.size() != certificates.size()) {
                throw DeviceException.usage("The outputs list " + things.size() + " things but " + certificates.size()
                        + " certificate ids; " + Outputs.THING_NAMES + " and " + Outputs.CERTIFICATE_IDS
                        + " must come from the same deployment.");
            }
            Map<String, String> fleet = new LinkedHashMap<>();
            for (int i = 0; i < things.size(); i++) {
                fleet.put(things.get(i).trim(), certificates.get(i).trim());
            }
            return fleet;
        }

        /** Writes {@code DIR/THING.cert.pem} for each thing, with the PEM {@code pemOf} gives for its certificate id. */
        static void writeAll(Map<String, String> fleet, Path dir, UnaryOperator<String> pemOf, PrintWriter printer)
                throws IOException {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> thing : fleet.entrySet()) {
                Path file = dir.resolve(thing.getKey() + CERTIFICATE_SUFFIX);
                Files.writeString(file, pemOf.apply(thing.getValue()), StandardCharsets.US_ASCII);
                printer.println("certificate " + thing.getValue() + " of " + thing.getKey() + ": " + file);
            }
            printer.println(fleet.size() + " certificates; simulate the fleet with: simulate --outputs FILE --devices "
                    + fleet.size() + " --cert-dir " + dir);
            printer.flush();
        }
    }
}
