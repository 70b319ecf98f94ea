package dev.edgewire.infra;

import java.util.Map;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Validations;
import software.constructs.IConstruct;

/** Acknowledges a cdk-nag finding on a construct and its children, with the reason a reviewer reads. */
final class Acknowledge {

    private static final String SCOPE_DELIMITER = "::";

    private Acknowledge() {
    }

    static void finding(IConstruct scope, String findingId, String reason) {
        if (findingId.split(SCOPE_DELIMITER, -1).length > 2) {
            // Validations.acknowledge rejects ids with more than one "::", yet cdk-nag names findings
            // on ARNs with pseudo parameters that way ("Resource::arn:<AWS::Partition>:..."). Record
            // the acknowledgment exactly as Validations does, under the id cdk-nag looks up.
            scope.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(findingId, reason));
        } else {
            Validations.of(scope).acknowledge(Acknowledgment.builder().id(findingId).reason(reason).build());
        }
    }
}
