package dev.edgewire.infra;

import dev.edgewire.topology.Topology;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.iot.CfnTopicRule;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Permission;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The IoT topic rules of {@link Topology#TOPIC_RULES}: each invokes its target function, which
 * may be invoked by that rule only. A reading the rule could not deliver (the function throttled,
 * failed or missing) goes to an SQS queue with the error, kept 14 days, instead of vanishing.
 */
public final class TelemetryRules extends Construct {

    private static final ServicePrincipal IOT = new ServicePrincipal("iot.amazonaws.com");

    /**
     * @param targets the function (alias) each rule target stands for
     */
    public record Props(Map<Topology.Function, IFunction> targets) {
    }

    private final Queue failedDeliveries;

    public TelemetryRules(Construct scope, String id, Props props) {
        super(scope, id);
        failedDeliveries = Queue.Builder.create(this, "FailedDeliveries")
                .retentionPeriod(Duration.days(14))
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Acknowledge.finding(failedDeliveries, "AwsSolutions-SQS3", "This queue is itself the dead-letter"
                + " destination (the topic rules' error action); nothing consumes it automatically, so a"
                + " further DLQ would never receive anything.");
        Role errorActionRole = Role.Builder.create(this, "ErrorActionRole")
                .assumedBy(IOT)
                .description("Lets the topic rules' error action put failed deliveries on the queue")
                .build();
        failedDeliveries.grantSendMessages(errorActionRole);

        for (Topology.TopicRule rule : Topology.TOPIC_RULES) {
            IFunction target = props.targets().get(rule.target());
            if (target == null) {
                throw new IllegalArgumentException("no function for " + rule.target() + ", the target of rule "
                        + rule.id());
            }
            CfnTopicRule topicRule = CfnTopicRule.Builder.create(this, rule.id())
                    .topicRulePayload(CfnTopicRule.TopicRulePayloadProperty.builder()
                            .description("Readings on " + rule.topicFilter() + " to " + rule.target().id())
                            .sql(rule.sql())
                            .awsIotSqlVersion(Topology.SQL_VERSION)
                            .ruleDisabled(false)
                            .actions(List.of(CfnTopicRule.ActionProperty.builder()
                                    .lambda(CfnTopicRule.LambdaActionProperty.builder()
                                            .functionArn(target.getFunctionArn())
                                            .build())
                                    .build()))
                            .errorAction(CfnTopicRule.ActionProperty.builder()
                                    .sqs(CfnTopicRule.SqsActionProperty.builder()
                                            .queueUrl(failedDeliveries.getQueueUrl())
                                            .roleArn(errorActionRole.getRoleArn())
                                            .useBase64(false)
                                            .build())
                                    .build())
                            .build())
                    .build();
            target.addPermission(rule.id() + "RuleInvoke", Permission.builder()
                    .principal(IOT)
                    .action("lambda:InvokeFunction")
                    .sourceArn(topicRule.getAttrArn())
                    .sourceAccount(Aws.ACCOUNT_ID)
                    .build());
        }
    }

    /** Where readings a rule could not deliver end up. */
    public IQueue failedDeliveries() {
        return failedDeliveries;
    }
}
