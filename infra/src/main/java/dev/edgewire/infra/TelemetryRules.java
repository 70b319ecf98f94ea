package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.iot.CfnTopicRule;
import software.amazon.awscdk.services.lambda.DestinationConfig;
import software.amazon.awscdk.services.lambda.DestinationOptions;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.IDestination;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Permission;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The IoT topic rules of {@link Topology#TOPIC_RULES}: each invokes its target function, which
 * may be invoked by that rule only. Nothing a rule accepted vanishes; two SQS queues, each keeping
 * what it gets for 14 days, catch the two ways a reading can fail:
 * <ul>
 *   <li>{@code FailedDeliveries}, the rules' error action: IoT could not hand the reading to Lambda
 *       at all (Invoke refused: the function missing, IoT not allowed to invoke it, Lambda's
 *       asynchronous queue refusing the request). Records are IoT's error-action messages.</li>
 *   <li>{@code FailedInvocations}, Lambda's on-failure destination of every rule target: Lambda
 *       accepted the reading, but the function failed every attempt or the event grew older than
 *       {@link #MAX_EVENT_AGE} in Lambda's queue. Records are Lambda's invocation records (the event
 *       and the function's error).</li>
 * </ul>
 */
public final class TelemetryRules extends Construct {

    private static final ServicePrincipal IOT = new ServicePrincipal("iot.amazonaws.com");
    private static final Duration RETENTION = Duration.days(14);

    /**
     * Retries after a failed attempt. IoT's Lambda action invokes asynchronously (AWS IoT Developer
     * Guide, "Lambda action"), so Lambda retries a function error itself, at most twice, one minute and
     * then two minutes later (Lambda Developer Guide, "How Lambda handles errors and retries with
     * asynchronous invocation"). Two, the most Lambda allows: a fan-out fails mostly on what passes
     * (the table throttled or briefly unreachable, the function throttled), and it fails before its
     * first post, so a retry seldom sends a watcher a reading twice (and a watcher detects that by
     * {@code seq}). Local mode makes the same three attempts.
     */
    static final int MAX_RETRY_ATTEMPTS = 2;
    /**
     * How long Lambda keeps a reading in its asynchronous queue before giving up on it (Lambda Developer
     * Guide, "Configuring error handling settings for Lambda asynchronous invocations": 60 s to 6 h,
     * default 6 h). Long enough for both retries (about 3 minutes plus the attempts) and for Lambda's
     * throttling back-off (up to 5 minutes between tries) to ride out a throttled spell of some minutes;
     * short enough that a long outage does not replay hours of stale readings to live watchers, each one
     * posted to every connection. An older reading goes to the on-failure queue instead, where it stays
     * listed for 14 days.
     */
    static final Duration MAX_EVENT_AGE = Duration.hours(1);

    /**
     * @param targets the function (alias) each rule target stands for
     */
    public record Props(Map<Topology.Function, IFunction> targets) {
    }

    private final Queue failedDeliveries;
    private final Queue failedInvocations;

    public TelemetryRules(Construct scope, String id, Props props) {
        super(scope, id);
        failedDeliveries = keepingQueue("FailedDeliveries", "the topic rules' error action");
        failedInvocations = keepingQueue("FailedInvocations",
                "Lambda's on-failure destination of the rules' asynchronous invocations");
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

        Set<Topology.Function> asynchronous = new LinkedHashSet<>();
        Topology.TOPIC_RULES.forEach(rule -> asynchronous.add(rule.target()));
        for (Topology.Function function : asynchronous) {
            props.targets().get(function).configureAsyncInvoke(EventInvokeConfigOptions.builder()
                    .retryAttempts(MAX_RETRY_ATTEMPTS)
                    .maxEventAge(MAX_EVENT_AGE)
                    .onFailure(new SendOnlyQueueDestination(failedInvocations))
                    .build());
        }
    }

    /** Where readings a rule could not hand to Lambda end up (IoT's error-action messages). */
    public IQueue failedDeliveries() {
        return failedDeliveries;
    }

    /** Where readings end up whose invocation failed every attempt or grew too old (Lambda's invocation records). */
    public IQueue failedInvocations() {
        return failedInvocations;
    }

    /** A queue that keeps failures for people to list: 14 days, encrypted, TLS only, gone with the stack. */
    private Queue keepingQueue(String id, String filledBy) {
        Queue queue = Queue.Builder.create(this, id)
                .retentionPeriod(RETENTION)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Acknowledge.finding(queue, "AwsSolutions-SQS3", "This queue is itself the dead-letter destination ("
                + filledBy + "); nothing consumes it automatically, so a further DLQ would never receive anything.");
        return queue;
    }

    /**
     * Lambda's SQS on-failure destination with exactly the permission Lambda needs for it: sqs:SendMessage
     * on the queue for the function's execution role (Lambda Developer Guide, "Capturing records of Lambda
     * asynchronous invocations"). CDK's own SqsDestination grants GetQueueAttributes and GetQueueUrl too.
     * Lambda checks the role when the configuration is created, so the configuration waits for the policy.
     */
    private record SendOnlyQueueDestination(IQueue queue) implements IDestination {

        @Override
        public DestinationConfig bind(Construct scope, IFunction fn) {
            return bind(scope, fn, null);
        }

        @Override
        public DestinationConfig bind(Construct scope, IFunction fn, DestinationOptions options) {
            Grant grant = Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                    .grantee(fn)
                    .actions(List.of("sqs:SendMessage"))
                    .resourceArns(List.of(queue.getQueueArn()))
                    .build());
            grant.applyBefore(scope);
            return DestinationConfig.builder().destination(queue.getQueueArn()).build();
        }
    }
}
