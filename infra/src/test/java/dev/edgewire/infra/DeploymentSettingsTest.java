package dev.edgewire.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and checking the deployment's context before anything is synthesised. */
class DeploymentSettingsTest {

    @TempDir
    Path directory;

    private Path jar;
    private final Map<String, String> context = new HashMap<>();

    @BeforeEach
    void lambdaJar() {
        jar = TestDeployment.writeJar(directory.resolve("handlers.jar"));
        context.put(DeploymentSettings.LAMBDA_JAR, jar.toString());
    }

    private DeploymentSettings read() {
        return DeploymentSettings.from(context::get);
    }

    @Test
    void fromContext_usesTheTopologyDefaults_whenOnlyTheCsrIsGiven() {
        Path csr = TestDeployment.writeCsr(directory.resolve("device.csr"), Topology.DEFAULT_THING_NAME);
        context.put(DeploymentSettings.CSR_FILE, csr.toString());

        DeploymentSettings settings = read();

        assertThat(settings.thingName()).isEqualTo(Topology.DEFAULT_THING_NAME);
        assertThat(settings.stageName()).isEqualTo(Topology.DEFAULT_STAGE);
        assertThat(settings.lambdaJar()).isEqualTo(jar);
        assertThat(settings.certificateSigningRequest()).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
    }

    @Test
    void fromContext_takesThingAndStageFromContext() {
        Path csr = TestDeployment.writeCsr(directory.resolve("device.csr"), "greenhouse-7");
        context.putAll(Map.of(DeploymentSettings.CSR_FILE, csr.toString(),
                DeploymentSettings.THING_NAME, "greenhouse-7",
                DeploymentSettings.STAGE, "prod"));

        DeploymentSettings settings = read();

        assertThat(settings.thingName()).isEqualTo("greenhouse-7");
        assertThat(settings.stageName()).isEqualTo("prod");
    }

    @Test
    void fromContext_failsNamingTheKeysCommand_whenNoCsrIsGiven() {
        assertThatThrownBy(this::read)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("edgewire-device keys create --thing " + Topology.DEFAULT_THING_NAME)
                .hasMessageContaining("--context " + DeploymentSettings.CSR_FILE + "=");
    }

    @Test
    void fromContext_failsNamingTheFile_whenTheCsrFileDoesNotExist() {
        Path missing = directory.resolve("nowhere.csr");
        context.put(DeploymentSettings.CSR_FILE, missing.toString());

        assertThatThrownBy(this::read)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toAbsolutePath().toString())
                .hasMessageContaining("edgewire-device keys create");
    }

    @Test
    void fromContext_fails_whenTheFileIsNotACsr() throws IOException {
        Path notACsr = Files.writeString(directory.resolve("notes.csr"), "hello\n");
        context.put(DeploymentSettings.CSR_FILE, notACsr.toString());

        assertThatThrownBy(this::read)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BEGIN CERTIFICATE REQUEST");
    }

    @Test
    void fromContext_fails_whenTheCsrsCommonNameIsNotTheThingName() {
        Path csr = TestDeployment.writeCsr(directory.resolve("other.csr"), "thing-2");
        context.put(DeploymentSettings.CSR_FILE, csr.toString());

        assertThatThrownBy(this::read)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'thing-2'")
                .hasMessageContaining("'" + Topology.DEFAULT_THING_NAME + "'");
    }

    @Test
    void fromContext_fails_whenTheHandlersJarDoesNotExist() {
        Path csr = TestDeployment.writeCsr(directory.resolve("device.csr"), Topology.DEFAULT_THING_NAME);
        Path missingJar = directory.resolve("missing.jar");
        context.putAll(Map.of(DeploymentSettings.CSR_FILE, csr.toString(),
                DeploymentSettings.LAMBDA_JAR, missingJar.toString()));

        assertThatThrownBy(this::read)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missingJar.toString())
                .hasMessageContaining("./mvnw -B -pl lambdas package");
    }

    @Test
    void fromContext_rejectsAThingNameIotWouldRefuse() {
        Path csr = TestDeployment.writeCsr(directory.resolve("device.csr"), "thing 1");
        context.putAll(Map.of(DeploymentSettings.CSR_FILE, csr.toString(),
                DeploymentSettings.THING_NAME, "thing 1"));

        assertThatThrownBy(this::read)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid AWS IoT thing name");
    }

    @Test
    void fromContext_rejectsAStageNameApiGatewayWouldRefuse() {
        Path csr = TestDeployment.writeCsr(directory.resolve("device.csr"), Topology.DEFAULT_THING_NAME);
        context.putAll(Map.of(DeploymentSettings.CSR_FILE, csr.toString(),
                DeploymentSettings.STAGE, "demo/v1"));

        assertThatThrownBy(this::read)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid API Gateway stage name");
    }
}
