package dev.edgewire.infra;

import static dev.edgewire.infra.TemplateFacts.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The stateless stack deployed with the operations context set: an address for the alarms, no
 * reservation for the fan-out, IoT Core logging raised to INFO. Synthesised once for the class.
 */
class OperationsContextTest {

    private static final String EMAIL = "ops@example.com";

    private static App app;
    private static Template template;

    @BeforeAll
    static void synthesise() throws Exception {
        TestDeployment shared = TestDeployment.get();
        Map<String, Object> context = new HashMap<>(TestDeployment.cdkJsonContext());
        context.putAll(Map.of(
                DeploymentSettings.THING_NAME, TestDeployment.THING,
                DeploymentSettings.STAGE, TestDeployment.STAGE,
                DeploymentSettings.CSR_FILE, shared.csrFile.toString(),
                DeploymentSettings.LAMBDA_JAR, shared.lambdaJar.toString(),
                DeploymentSettings.ALARM_EMAIL, EMAIL,
                DeploymentSettings.FAN_OUT_CONCURRENCY, DeploymentSettings.NONE,
                DeploymentSettings.IOT_LOG_LEVEL, "info"));
        app = new App(AppProps.builder().context(context).build());
        EdgewireApp.Deployment deployment = EdgewireApp.assemble(app, DeploymentSettings.fromContext(app.getNode()));
        template = Template.fromStack(deployment.stateless());
    }

    @Test
    void alarmEmail_subscribesTheAddressToTheAlarmTopic_byEmail() {
        String topic = TemplateFacts.logicalIdOf(template, "AWS::SNS::Topic", Map.of());

        template.resourceCountIs("AWS::SNS::Subscription", 1);
        template.hasResourceProperties("AWS::SNS::Subscription", Match.objectEquals(Map.of(
                "Protocol", "email",
                "Endpoint", EMAIL,
                "TopicArn", ref(topic))));
    }

    @Test
    void fanOutConcurrencyNone_reservesNothingForAnyFunction() {
        assertThat(template.findResources("AWS::Lambda::Function", Map.of("Properties",
                Match.objectLike(Map.of("ReservedConcurrentExecutions", Match.anyValue()))))).isEmpty();
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", Topology.Function.FAN_OUT.handler())));
    }

    @Test
    void iotLogLevel_setsIotCoresDefaultLevel_inUpperCase() {
        template.hasResourceProperties("AWS::IoT::Logging", Match.objectLike(Map.of("DefaultLogLevel", "INFO")));
    }

    @Test
    void awsSolutions_reportsNoUnacknowledgedFinding_withASubscription() {
        PolicyValidationPluginReport report = new AwsSolutionsChecks(app).validateScope(app);

        assertThat(report.getViolations().stream().map(v -> v.getRuleName() + " at "
                + v.getViolatingResources().stream().map(r -> r.getConstructPath()).toList()).toList())
                .isEqualTo(List.of());
        assertThat(report.getSuccess()).isTrue();
    }
}
