package dev.edgewire.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.PolicyViolation;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.IFunction;

/** cdk-nag's AwsSolutions pack over the whole app: every finding fixed or acknowledged with a reason. */
class NagComplianceTest {

    @Test
    void awsSolutions_reportsNoUnacknowledgedFinding() {
        TestDeployment deployment = TestDeployment.get();

        PolicyValidationPluginReport report = new AwsSolutionsChecks(deployment.app).validateScope(deployment.app);

        assertThat(findings(report)).isEmpty();
        assertThat(report.getSuccess()).isTrue();
    }

    @Test
    void awsSolutions_reportsNoUnacknowledgedFinding_forAFleet() {
        TestDeployment deployment = TestDeployment.fleet();

        PolicyValidationPluginReport report = new AwsSolutionsChecks(deployment.app).validateScope(deployment.app);

        assertThat(findings(report)).isEmpty();
        assertThat(report.getSuccess()).isTrue();
    }

    @Test
    void acknowledgments_coverOnlyTheFindingsTheyName_soANewWildcardIsStillReported() {
        TestDeployment shared = TestDeployment.get();
        App app = new App(AppProps.builder().context(Map.of(
                DeploymentSettings.THING_NAME, TestDeployment.THING,
                DeploymentSettings.STAGE, TestDeployment.STAGE,
                DeploymentSettings.CSR_FILE, shared.csrFile.toString(),
                DeploymentSettings.LAMBDA_JAR, shared.lambdaJar.toString())).build());
        EdgewireApp.Deployment deployment = EdgewireApp.assemble(app, DeploymentSettings.fromContext(app.getNode()));
        IFunction sendMessage = deployment.stateless().alias(Topology.Function.SEND_MESSAGE);
        sendMessage.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("iot:Publish"))
                .resources(List.of("*"))
                .build());

        PolicyValidationPluginReport report = new AwsSolutionsChecks(app).validateScope(app);

        assertThat(findings(report)).containsExactly("error AwsSolutions-IAM5[Resource::*] at ["
                + EdgewireApp.STATELESS_STACK + "/" + Topology.Function.SEND_MESSAGE.id()
                + "Handler/Role/DefaultPolicy/Resource]");
    }

    private static List<String> findings(PolicyValidationPluginReport report) {
        return report.getViolations().stream().map(NagComplianceTest::describe).toList();
    }

    private static String describe(PolicyViolation violation) {
        return violation.getSeverity() + " " + violation.getRuleName() + " at "
                + violation.getViolatingResources().stream().map(r -> r.getConstructPath()).toList();
    }
}
