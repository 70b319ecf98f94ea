package dev.edgewire.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code cdk synth} from the root cdk.json produces besides the templates, and how it fails. */
class CdkSynthCliIT {

    @TempDir
    Path directory;

    @Test
    @SuppressWarnings("unchecked")
    void synth_stagesTheHandlersJarThisBuildMade_asTheFunctionsCode() throws IOException {
        CdkCli cli = CdkCli.synthesised();
        Path builtJar = Path.of(System.getProperty(DeploymentSettings.LAMBDA_JAR_PROPERTY));
        Map<String, Map<String, Object>> functions = cli.template(EdgewireApp.STATELESS_STACK)
                .findResources("AWS::Lambda::Function", Map.of("Properties", Map.of("Runtime", "java21")));

        List<String> assetPaths = functions.values().stream()
                .map(f -> (String) ((Map<String, Object>) f.get("Metadata")).get("aws:asset:path"))
                .distinct()
                .toList();

        assertThat(functions).hasSize(Topology.Function.values().length);
        assertThat(assetPaths).hasSize(1);
        Path staged = cli.output.resolve(assetPaths.get(0));
        assertThat(Files.mismatch(staged, builtJar)).isEqualTo(-1L);
    }

    @Test
    void synth_reportsNoFailingCdkNagPlugin() {
        Map<String, Object> report = CdkCli.readJson(CdkCli.synthesised().output.resolve("validation-report.json"));

        assertThat(report).containsKey("pluginReports");
        assertThat((List<?>) report.get("pluginReports")).noneMatch(plugin ->
                "failure".equals(((Map<?, ?>) plugin).get("conclusion")));
    }

    @Test
    void synth_withoutACsr_failsTellingTheUserToRunTheKeysCommand() throws Exception {
        CdkCli.Run run = CdkCli.synth(directory, "--output", directory.resolve("cdk.out").toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("edgewire-device keys create --thing")
                .contains("--context " + DeploymentSettings.CSR_FILE + "=");
        assertThat(directory.resolve("cdk.out").resolve(EdgewireApp.STATELESS_STACK + ".template.json")).doesNotExist();
    }

    @Test
    void synth_withACsrDirThatCannotBeDeployed_failsListingEveryProblem_beforeAnyTemplate() throws Exception {
        Path fleet = Files.createDirectories(directory.resolve("fleet"));
        TestDeployment.writeCsr(fleet.resolve("a.csr"), "thing-1");
        TestDeployment.writeCsr(fleet.resolve("b.csr"), "thing-1");
        Files.writeString(fleet.resolve("notes.txt"), "hello\n");

        CdkCli.Run run = CdkCli.synth(directory, "--context", DeploymentSettings.CSR_DIR + "=" + fleet,
                "--output", directory.resolve("cdk.out").toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("the CSR folder " + fleet.toAbsolutePath())
                .contains("notes.txt")
                .contains("a.csr and b.csr both have the common name 'thing-1'");
        assertThat(directory.resolve("cdk.out").resolve(EdgewireApp.STATEFUL_STACK + ".template.json")).doesNotExist();
    }

    @Test
    void synth_withAnAlarmEmailThatIsNoAddress_failsBeforeAnyTemplate() throws Exception {
        Path csr = TestDeployment.writeCsr(directory.resolve("thing-1.csr"), "thing-1");

        CdkCli.Run run = CdkCli.synth(directory, "--context", DeploymentSettings.CSR_FILE + "=" + csr,
                "--context", DeploymentSettings.ALARM_EMAIL + "=someone.example.com",
                "--output", directory.resolve("cdk.out").toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("edgewire: 'someone.example.com' (context alarmEmail) is not an email address");
        assertThat(directory.resolve("cdk.out").resolve(EdgewireApp.STATELESS_STACK + ".template.json")).doesNotExist();
    }

    @Test
    void synth_withAReservationTheAccountsQuotaCannotGrant_failsSayingWhatToDo_beforeAnyTemplate() throws Exception {
        Path csr = TestDeployment.writeCsr(directory.resolve("thing-1.csr"), "thing-1");

        CdkCli.Run run = CdkCli.synth(directory, "--context", DeploymentSettings.CSR_FILE + "=" + csr,
                "--context", DeploymentSettings.LAMBDA_CONCURRENCY_QUOTA + "=10",
                "--output", directory.resolve("cdk.out").toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("edgewire: the fan-out's reserved concurrency of 120 would leave -110")
                .contains("--context " + DeploymentSettings.FAN_OUT_CONCURRENCY + "=none");
        assertThat(directory.resolve("cdk.out").resolve(EdgewireApp.STATELESS_STACK + ".template.json")).doesNotExist();
    }
}
