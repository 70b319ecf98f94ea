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
 * from a CSR made the way a device makes it and a small stand-in for the handlers' jar: these
 * tests check the stacks, not the handler code, and must run before the real jar is built
 * ({@code ./mvnw test}). Nothing is written outside a temporary directory.
 */
final class TestDeployment {

    static final String THING = "thing-under-test";
    static final String STAGE = "teststage";

    private static TestDeployment shared;

    final Path directory;
    final Path csrFile;
    final Path lambdaJar;
    final EdgewireApp.Deployment deployment;
    final App app;
    final CloudAssembly assembly;

    private TestDeployment() throws IOException {
        directory = Files.createTempDirectory("edgewire-infra-test");
        csrFile = writeCsr(directory.resolve(THING + ".csr"), THING);
        lambdaJar = writeJar(directory.resolve("handlers.jar"));
        // The feature flags of cdk.json, as the CLI passes them, so both syntheses build the same stacks.
        Map<String, Object> context = new java.util.HashMap<>(cdkJsonContext());
        context.putAll(Map.of(
                DeploymentSettings.THING_NAME, THING,
                DeploymentSettings.STAGE, STAGE,
                DeploymentSettings.CSR_FILE, csrFile.toString(),
                DeploymentSettings.LAMBDA_JAR, lambdaJar.toString()));
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

    /** The shared, synthesised deployment. */
    static synchronized TestDeployment get() {
        if (shared == null) {
            try {
                shared = new TestDeployment();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
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
