package dev.edgewire.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
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
    void fromContext_usesTheTopologyDefaults_whenOnlyTheCsrIsGiven() throws IOException {
        Path csr = TestDeployment.writeCsr(directory.resolve("device.csr"), Topology.DEFAULT_THING_NAME);
        context.put(DeploymentSettings.CSR_FILE, csr.toString());

        DeploymentSettings settings = read();

        assertThat(settings.devices()).extracting(DeviceCsr::thingName).containsExactly(Topology.DEFAULT_THING_NAME);
        assertThat(settings.stageName()).isEqualTo(Topology.DEFAULT_STAGE);
        assertThat(settings.lambdaJar()).isEqualTo(jar);
        assertThat(settings.devices().getFirst().certificateSigningRequest())
                .isEqualTo(Files.readString(csr)).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
    }

    @Test
    void fromContext_takesThingAndStageFromContext() {
        Path csr = TestDeployment.writeCsr(directory.resolve("device.csr"), "greenhouse-7");
        context.putAll(Map.of(DeploymentSettings.CSR_FILE, csr.toString(),
                DeploymentSettings.THING_NAME, "greenhouse-7",
                DeploymentSettings.STAGE, "prod"));

        DeploymentSettings settings = read();

        assertThat(settings.devices()).extracting(DeviceCsr::thingName).containsExactly("greenhouse-7");
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

    // A folder of CSRs: a fleet.

    private Path fleetDir() throws IOException {
        return Files.createDirectories(directory.resolve("fleet"));
    }

    private String readFolderFailure(Path dir) {
        context.put(DeploymentSettings.CSR_DIR, dir.toString());
        try {
            read();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("the folder " + dir + " was accepted");
    }

    @Test
    void csrDir_makesOneThingPerCsr_namedByItsCommonName_inNaturalOrder_skippingKeysAndCertificates()
            throws IOException {
        Path dir = fleetDir();
        for (String thing : List.of("thing-10", "thing-2", "thing-1")) {
            TestDeployment.writeCsr(dir.resolve(thing + ".csr"), thing);
            Files.writeString(dir.resolve(thing + ".private.key"), "a key the app never reads");
            Files.writeString(dir.resolve(thing + ".cert.pem"), "a certificate the app never reads");
        }
        context.put(DeploymentSettings.CSR_DIR, dir.toString());

        DeploymentSettings settings = read();

        assertThat(settings.devices()).extracting(DeviceCsr::thingName).containsExactly("thing-1", "thing-2", "thing-10");
        for (DeviceCsr device : settings.devices()) {
            assertThat(device.certificateSigningRequest()).isEqualTo(Files.readString(dir.resolve(device.thingName() + ".csr")));
        }
    }

    @Test
    void csrDir_namesThingsByCommonName_notByFileName() throws IOException {
        Path dir = fleetDir();
        TestDeployment.writeCsr(dir.resolve("first.csr"), "greenhouse-7");
        context.put(DeploymentSettings.CSR_DIR, dir.toString());

        assertThat(read().devices()).extracting(DeviceCsr::thingName).containsExactly("greenhouse-7");
    }

    @Test
    void csrDir_withOneCsr_isTheSameDeploymentAsThatCsrAsCsrFile() throws IOException {
        Path dir = fleetDir();
        Path csr = TestDeployment.writeCsr(dir.resolve(Topology.DEFAULT_THING_NAME + ".csr"), Topology.DEFAULT_THING_NAME);
        context.put(DeploymentSettings.CSR_FILE, csr.toString());
        DeploymentSettings fromFile = read();
        context.remove(DeploymentSettings.CSR_FILE);
        context.put(DeploymentSettings.CSR_DIR, dir.toString());

        assertThat(read()).isEqualTo(fromFile);
    }

    @Test
    void csrDir_thatIsEmpty_failsNamingTheKeysCommandForAFleet() throws IOException {
        Path dir = fleetDir();

        assertThat(readFolderFailure(dir)).contains(dir.toAbsolutePath().toString())
                .contains("holds no *.csr file")
                .contains("edgewire-device keys create --devices N --dir " + dir);
    }

    @Test
    void csrDir_thatDoesNotExist_failsNamingIt() {
        Path missing = directory.resolve("no-fleet");

        assertThat(readFolderFailure(missing)).contains(missing.toAbsolutePath().toString())
                .contains("does not exist or is not a folder");
    }

    @Test
    void csrDir_withTwoCsrsOfOneCommonName_failsNamingBothFiles() throws IOException {
        Path dir = fleetDir();
        TestDeployment.writeCsr(dir.resolve("a.csr"), "thing-1");
        TestDeployment.writeCsr(dir.resolve("b.csr"), "thing-1");

        assertThat(readFolderFailure(dir)).contains("a.csr and b.csr both have the common name 'thing-1'");
    }

    @Test
    void csrDir_withACommonNameIotWouldRefuse_failsNamingTheFile() throws IOException {
        Path dir = fleetDir();
        TestDeployment.writeCsr(dir.resolve("thing-1.csr"), "thing-1");
        TestDeployment.writeCsr(dir.resolve("spaced.csr"), "thing 2");

        assertThat(readFolderFailure(dir))
                .contains("spaced.csr: the common name 'thing 2' is not a valid AWS IoT thing name");
    }

    @Test
    void csrDir_withACsrFileThatIsNotACsr_failsNamingTheFile() throws IOException {
        Path dir = fleetDir();
        TestDeployment.writeCsr(dir.resolve("thing-1.csr"), "thing-1");
        Files.writeString(dir.resolve("thing-2.csr"), "hello\n");

        assertThat(readFolderFailure(dir)).contains("thing-2.csr: not a PEM certificate signing request")
                .contains("BEGIN CERTIFICATE REQUEST");
    }

    @Test
    void csrDir_withAFileThatIsNeitherACsrNorAKeyOrCertificate_failsNamingIt() throws IOException {
        Path dir = fleetDir();
        TestDeployment.writeCsr(dir.resolve("thing-1.csr"), "thing-1");
        Files.writeString(dir.resolve("notes.txt"), "hello\n");

        assertThat(readFolderFailure(dir)).contains("notes.txt").contains("not a CSR (*.csr)");
    }

    @Test
    void csrDir_reportsEveryProblemAtOnce() throws IOException {
        Path dir = fleetDir();
        TestDeployment.writeCsr(dir.resolve("a.csr"), "thing-1");
        TestDeployment.writeCsr(dir.resolve("b.csr"), "thing-1");
        Files.writeString(dir.resolve("c.csr"), "hello\n");
        Files.writeString(dir.resolve("notes.txt"), "hello\n");

        assertThat(readFolderFailure(dir)).contains("notes.txt").contains("c.csr: not a PEM")
                .contains("a.csr and b.csr both have");
    }

    @Test
    void csrDir_withMoreCsrsThanOneStackHolds_failsStatingTheMaximum() throws IOException {
        Path dir = fleetDir();
        for (int i = 1; i <= Topology.MAX_THINGS_PER_DEPLOYMENT + 1; i++) {
            TestDeployment.writeCsr(dir.resolve("thing-" + i + ".csr"), "thing-" + i);
        }

        assertThat(readFolderFailure(dir)).contains("holds " + (Topology.MAX_THINGS_PER_DEPLOYMENT + 1) + " CSRs")
                .contains("(" + Topology.MAX_THINGS_PER_DEPLOYMENT + ")").contains("500 resources");
    }

    @Test
    void csrDir_ofTheLargestFleet_isAccepted() throws IOException {
        Path dir = fleetDir();
        for (int i = 1; i <= Topology.MAX_THINGS_PER_DEPLOYMENT; i++) {
            TestDeployment.writeCsr(dir.resolve("thing-" + i + ".csr"), "thing-" + i);
        }
        context.put(DeploymentSettings.CSR_DIR, dir.toString());

        assertThat(read().devices()).hasSize(Topology.MAX_THINGS_PER_DEPLOYMENT);
    }

    @Test
    void csrDir_andCsrFile_together_areRefused() throws IOException {
        Path dir = fleetDir();
        Path csr = TestDeployment.writeCsr(dir.resolve("thing-1.csr"), "thing-1");
        context.putAll(Map.of(DeploymentSettings.CSR_DIR, dir.toString(), DeploymentSettings.CSR_FILE, csr.toString()));

        assertThatThrownBy(this::read).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both csrFile and csrDir");
    }

    @Test
    void csrDir_withAThingName_isRefused_becauseTheCommonNamesNameTheThings() throws IOException {
        Path dir = fleetDir();
        TestDeployment.writeCsr(dir.resolve("thing-1.csr"), "thing-1");
        context.putAll(Map.of(DeploymentSettings.CSR_DIR, dir.toString(), DeploymentSettings.THING_NAME, "thing-1"));

        assertThatThrownBy(this::read).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thingName is for csrFile only");
    }

    @Test
    void naturalOrder_putsNumberedNamesInNumericOrder() {
        assertThat(java.util.stream.Stream.of("b", "thing-10", "thing-2", "thing-1", "thing", "a-3")
                .sorted(DeploymentSettings::naturalOrder).toList())
                .containsExactly("a-3", "b", "thing", "thing-1", "thing-2", "thing-10");
    }

    // ----- operations

    private DeploymentSettings.Operations operations(Map<String, String> settings) {
        context.put(DeploymentSettings.CSR_FILE,
                TestDeployment.writeCsr(directory.resolve("ops.csr"), Topology.DEFAULT_THING_NAME).toString());
        context.putAll(settings);
        return read().operations();
    }

    @Test
    void operations_byDefault_subscribeNobody_reserveWhatTheFanOutIsDesignedFor_andLogIotErrors() {
        DeploymentSettings.Operations operations = operations(Map.of());

        assertThat(operations.alarmEmail()).isEmpty();
        assertThat(operations.fanOutReservedConcurrency()).hasValue(FanOutConcurrency.DESIGNED);
        assertThat(FanOutConcurrency.DESIGNED).isEqualTo(120);
        assertThat(operations.iotLogLevel()).hasValue("ERROR");
    }

    @Test
    void alarmEmail_isTakenWhenItHasTheShapeOfAnAddress() {
        assertThat(operations(Map.of(DeploymentSettings.ALARM_EMAIL, " someone@example.com ")).alarmEmail())
                .hasValue("someone@example.com");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"someone", "someone@", "@example.com",
            "someone@example", "some one@example.com", "someone@@example.com", "someone@example..com"})
    void alarmEmail_thatIsNoAddress_isRefusedBeforeSynthesis(String email) {
        assertThatThrownBy(() -> operations(Map.of(DeploymentSettings.ALARM_EMAIL, email)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(context alarmEmail) is not an email address");
    }

    @Test
    void fanOutConcurrency_none_reservesNothing_andANumberIsTaken() {
        assertThat(operations(Map.of(DeploymentSettings.FAN_OUT_CONCURRENCY, "none")).fanOutReservedConcurrency())
                .isEmpty();
        assertThat(operations(Map.of(DeploymentSettings.FAN_OUT_CONCURRENCY, "60")).fanOutReservedConcurrency())
                .hasValue(60);
    }

    @Test
    void fanOutConcurrency_thatLeavesLessThan100Unreserved_isRefused_sayingWhatToDo() {
        assertThatThrownBy(() -> operations(Map.of(DeploymentSettings.LAMBDA_CONCURRENCY_QUOTA, "10")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved concurrency of 120 would leave -110 of the account's Lambda"
                        + " concurrency quota of 10")
                .hasMessageContaining("--context fanOutConcurrency=none")
                .hasMessageNotContaining("at most");
        assertThatThrownBy(() -> operations(Map.of(DeploymentSettings.LAMBDA_CONCURRENCY_QUOTA, "150")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("or at most 50");
        assertThat(operations(Map.of(DeploymentSettings.LAMBDA_CONCURRENCY_QUOTA, "220")).fanOutReservedConcurrency())
                .hasValue(120);
    }

    @Test
    void fanOutConcurrency_belowTheMappingsConcurrency_orNotANumber_isRefused() {
        assertThatThrownBy(() -> operations(Map.of(DeploymentSettings.FAN_OUT_CONCURRENCY, "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("less than the 2 invocations");
        assertThatThrownBy(() -> operations(Map.of(DeploymentSettings.FAN_OUT_CONCURRENCY, "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lots' (context fanOutConcurrency) is not a positive whole number, nor none");
        assertThatThrownBy(() -> operations(Map.of(DeploymentSettings.LAMBDA_CONCURRENCY_QUOTA, "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(context lambdaConcurrencyQuota) is not a positive whole number");
    }

    @Test
    void iotLogLevel_isAnIotLevelInAnyCase_orNone() {
        assertThat(operations(Map.of(DeploymentSettings.IOT_LOG_LEVEL, "debug")).iotLogLevel()).hasValue("DEBUG");
        assertThat(operations(Map.of(DeploymentSettings.IOT_LOG_LEVEL, "none")).iotLogLevel()).isEmpty();
        assertThatThrownBy(() -> operations(Map.of(DeploymentSettings.IOT_LOG_LEVEL, "VERBOSE")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one of ERROR, WARN, INFO, DEBUG, DISABLED, or none");
    }
}
