package dev.edgewire.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.PolicyViolation;

/** cdk-nag's AwsSolutions pack over the whole app: every finding fixed or acknowledged with a reason. */
class NagComplianceTest {

    private static PolicyValidationPluginReport report;

    @BeforeAll
    static void validate() {
        TestDeployment deployment = TestDeployment.get();
        report = new AwsSolutionsChecks(deployment.app).validateScope(deployment.app);
    }

    @Test
    void awsSolutions_reportsNoUnacknowledgedFinding() {
        List<String> findings = report.getViolations().stream().map(NagComplianceTest::describe).toList();

        assertThat(findings).isEmpty();
        assertThat(report.getSuccess()).isTrue();
    }

    private static String describe(PolicyViolation violation) {
        return violation.getSeverity() + " " + violation.getRuleName() + " at "
                + violation.getViolatingResources().stream().map(r -> r.getConstructPath()).toList();
    }
}
