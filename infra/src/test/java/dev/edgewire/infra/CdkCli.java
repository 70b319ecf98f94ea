package dev.edgewire.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awscdk.assertions.Template;

/**
 * Runs the real CDK CLI from the checkout's {@code node_modules} against the root {@code cdk.json},
 * offline (no notices, telemetry or version check), into a temporary output directory. The app it
 * runs is the one this build just packaged, with the handlers' jar this build just made.
 */
final class CdkCli {

    static final Path ROOT = Path.of(System.getProperty("edgewire.root", "..")).toAbsolutePath().normalize();
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static CdkCli synthesised;

    /** What one CLI run did. */
    record Run(int exitCode, String stdout, String stderr, Duration elapsed) {
    }

    final Path directory;
    final Path csrFile;
    final Path output;
    final Run run;

    private CdkCli() throws IOException, InterruptedException {
        directory = Files.createTempDirectory("edgewire-cdk-cli");
        csrFile = TestDeployment.writeCsr(directory.resolve(Topology.DEFAULT_THING_NAME + ".csr"),
                Topology.DEFAULT_THING_NAME);
        output = directory.resolve("cdk.out");
        run = synth(directory, "--context", DeploymentSettings.CSR_FILE + "=" + csrFile, "--output", output.toString());
        if (run.exitCode() != 0) {
            throw new IllegalStateException("cdk synth failed (" + run.exitCode() + "):\n" + run.stderr());
        }
        System.out.printf("cdk synth (CLI, both stacks) took %d ms%n", run.elapsed().toMillis());
    }

    /** One successful synthesis with the defaults and a fresh CSR, shared by the CLI tests of this JVM. */
    static synchronized CdkCli synthesised() {
        if (synthesised == null) {
            try {
                synthesised = new CdkCli();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return synthesised;
    }

    Template template(String stackName) {
        return Template.fromJSON(readJson(output.resolve(stackName + ".template.json")));
    }

    static Map<String, Object> readJson(Path file) {
        try {
            return new ObjectMapper().readValue(file.toFile(), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code cdk synth --no-notices -q ARGS} in the checkout root; output kept in {@code logs}. */
    static Run synth(Path logs, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                ROOT.resolve("node_modules/.bin/cdk").toString(), "synth", "--no-notices", "-q"));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(logs, "cdk", ".out");
        Path stderr = Files.createTempFile(logs, "cdk", ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("CDK_DISABLE_CLI_TELEMETRY", "1");
        environment.put("CDK_DISABLE_VERSION_CHECK", "1");
        environment.put("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        // The app runs on the JDK running these tests (21+), whatever `java` is on the PATH.
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        long started = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("cdk synth did not finish within " + TIMEOUT);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        return new Run(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8), elapsed);
    }
}
