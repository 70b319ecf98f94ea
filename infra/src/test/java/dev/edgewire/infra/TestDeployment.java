package dev.edgewire.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The app as {@code cdk synth} builds it, synthesised once per JVM (a synthesis takes seconds),
 * from CSRs made the way a device makes them and a small stand-in for the handlers' jar: these
 * tests check the stacks, not the handler code, and must run before the real jar is built
 * ({@code ./mvnw test}). Nothing is written outside a temporary directory.
 */
final class TestDeployment {

    static final String THING = "thing-under-test";
    /** A fleet of three, listed as the outputs list them: thing-10 after thing-2. */
    static final List<String> FLEET = List.of("fleet-thing-1", "fleet-thing-2", "fleet-thing-10");
    static final String STAGE = "teststage";

    private static TestDeployment shared;
    private static TestDeployment fleet;

    final Path directory;
    /** The CSR file of {@link #THING} ({@code csrFile}), or null for the fleet. */
    final Path csrFile;
    /** Each thing's CSR, PEM. */
    final Map<String, String> csrs = new LinkedHashMap<>();
    final Path lambdaJar;
    final EdgewireApp.Deployment deployment;
    final App app;
    final CloudAssembly assembly;

    /** One thing from {@code csrFile} when {@code things} is null, else a fleet from {@code csrDir}. */
    private TestDeployment(List<String> things) throws IOException {
        directory = Files.createTempDirectory("edgewire-infra-test");
        lambdaJar = writeJar(directory.resolve("handlers.jar"));
        // The feature flags of cdk.json, as the CLI passes them, so both syntheses build the same stacks.
        Map<String, Object> context = new java.util.HashMap<>(cdkJsonContext());
        context.putAll(Map.of(
                DeploymentSettings.STAGE, STAGE,
                DeploymentSettings.LAMBDA_JAR, lambdaJar.toString()));
        if (things == null) {
            csrFile = writeCsr(directory.resolve(THING + ".csr"), THING);
            csrs.put(THING, Files.readString(csrFile, StandardCharsets.US_ASCII));
            context.putAll(Map.of(DeploymentSettings.THING_NAME, THING, DeploymentSettings.CSR_FILE, csrFile.toString()));
        } else {
            csrFile = null;
            Path csrDir = Files.createDirectories(directory.resolve("fleet"));
            for (String thing : things) {
                Path csr = writeCsr(csrDir.resolve(thing + ".csr"), thing);
                csrs.put(thing, Files.readString(csr, StandardCharsets.US_ASCII));
                // What keys create writes beside each CSR; the app must skip it, never read it.
                Files.writeString(csrDir.resolve(thing + ".private.key"), "not read by the app\n");
            }
            context.put(DeploymentSettings.CSR_DIR, csrDir.toString());
        }
        app = new App(AppProps.builder()
                .outdir(directory.resolve("cdk.out").toString())
                .context(context)
                .build());
        long started = System.nanoTime();
        deployment = EdgewireApp.assemble(app, DeploymentSettings.fromContext(app.getNode()));
        assembly = app.synth();
        System.out.printf("in-process assemble + synth (both stacks, cdk-nag included) took %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(directory)));
    }

    /** The {@code context} of the checkout's {@code cdk.json}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> cdkJsonContext() throws IOException {
        Path cdkJson = Path.of(System.getProperty("edgewire.root", "..")).resolve("cdk.json");
        Map<String, Object> file = new com.fasterxml.jackson.databind.ObjectMapper().readValue(cdkJson.toFile(), Map.class);
        return (Map<String, Object>) file.getOrDefault("context", Map.of());
    }

    /** The shared, synthesised deployment of one thing, {@link #THING}, from {@code csrFile}. */
    static synchronized TestDeployment get() {
        if (shared == null) {
            shared = create(null);
        }
        return shared;
    }

    /** The shared, synthesised deployment of the {@link #FLEET}, from {@code csrDir}. */
    static synchronized TestDeployment fleet() {
        if (fleet == null) {
            fleet = create(FLEET);
        }
        return fleet;
    }

    private static TestDeployment create(List<String> things) {
        try {
            return new TestDeployment(things);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    Template template(String stackName) {
        return Template.fromJSON((Map<String, Object>) assembly.getStackByName(stackName).getTemplate());
    }

    /** A PEM CSR for a fresh P-256 key whose subject is {@code CN=commonName}, as the device client writes it. */
    static Path writeCsr(Path file, String commonName) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + commonName), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                 JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(request);
            }
            return file;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A real, small jar (a manifest and one entry). */
    static Path writeJar(Path file) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = Files.newOutputStream(file);
             JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry("README.txt"));
            jar.write("stand-in for the handlers' jar".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: the directory is under the system temporary directory anyway.
        }
    }
}
