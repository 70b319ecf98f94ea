package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.iot.CfnTopicRule;
import software.amazon.awscdk.services.lambda.DestinationConfig;
import software.amazon.awscdk.services.lambda.DestinationOptions;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.EventSourceMapping;
import software.amazon.awscdk.services.lambda.IDestination;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The IoT topic rules of {@link Topology#TOPIC_RULES} and the queue behind them. Each rule's SQS
 * action sends its output, one reading, to the readings queue ({@link Topology.ReadingsQueue}); the
 * fan-out consumes it through an event source mapping. Nothing a rule accepted vanishes; three
 * queues, each keeping what it gets for 14 days, catch the ways a reading or a broadcast can fail:
 * <ul>
 *   <li>{@code FailedDeliveries}, the rules' error action: IoT could not send the reading to the
 *       readings queue. Records are IoT's error-action messages.</li>
 *   <li>{@code ReadingsDeadLetters}, the readings queue's dead-letter queue: the fan-out failed a
 *       reading on each of its {@value Topology.ReadingsQueue#MAX_RECEIVE_COUNT} receives.</li>
 *   <li>{@code FailedInvocations}, Lambda's on-failure destination of the fan-out's asynchronous
 *       invocations (a broadcast handed over to a later invocation): the continuation failed every
 *       attempt or grew older than {@link #MAX_EVENT_AGE}. Records are Lambda's invocation records.</li>
 * </ul>
 */
public final class TelemetryRules extends Construct {

    private static final ServicePrincipal IOT = new ServicePrincipal("iot.amazonaws.com");
    private static final Duration RETENTION = Duration.days(Topology.ReadingsQueue.RETENTION.toDays());

    /**
     * Retries of a continued broadcast after a failed attempt: at most twice, one minute and then
     * two minutes later (Lambda Developer Guide, "How Lambda handles errors and retries with
     * asynchronous invocation"). Two, the most Lambda allows: a continuation fails mostly on what
     * passes (the function throttled, the management API briefly unreachable). Local mode makes the
     * same three attempts.
     */
    static final int MAX_RETRY_ATTEMPTS = 2;
    /**
     * How long Lambda keeps a continuation in its asynchronous queue before giving up on it (Lambda
     * Developer Guide, "Configuring error handling settings for Lambda asynchronous invocations": 60 s
     * to 6 h, default 6 h). Long enough for both retries and for Lambda's throttling back-off to ride
     * out a throttled spell of some minutes; short enough that a long outage does not replay hours of
     * stale readings to live watchers. An older one goes to the on-failure queue instead.
     */
    static final Duration MAX_EVENT_AGE = Duration.hours(1);

    /**
     * @param consumer the function (alias) that consumes the readings queue
     */
    public record Props(IFunction consumer) {
    }

    private final Queue readings;
    private final Queue readingsDeadLetters;
    private final Queue failedDeliveries;
    private final Queue failedInvocations;
    private final EventSourceMapping readingsToConsumer;

    public TelemetryRules(Construct scope, String id, Props props) {
        super(scope, id);
        failedDeliveries = keepingQueue("FailedDeliveries", "the topic rules' error action");
        failedInvocations = keepingQueue("FailedInvocations",
                "Lambda's on-failure destination of the fan-out's asynchronous invocations");
        readingsDeadLetters = keepingQueue("ReadingsDeadLetters", "the readings queue's dead-letter queue");
        readings = Queue.Builder.create(this, "Readings")
                .visibilityTimeout(Duration.seconds(Topology.ReadingsQueue.visibilityTimeout().toSeconds()))
                .retentionPeriod(RETENTION)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(readingsDeadLetters)
                        .maxReceiveCount(Topology.ReadingsQueue.MAX_RECEIVE_COUNT)
                        .build())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        Role rulesRole = Role.Builder.create(this, "RulesRole")
                .assumedBy(IOT)
                .description("Lets the topic rules send readings to the readings queue, and failed deliveries to theirs")
                .build();
        grantSend(rulesRole, readings);
        grantSend(rulesRole, failedDeliveries);

        for (Topology.TopicRule rule : Topology.TOPIC_RULES) {
            CfnTopicRule.Builder.create(this, rule.id())
                    .topicRulePayload(CfnTopicRule.TopicRulePayloadProperty.builder()
                            .description("Readings on " + rule.topicFilter() + " to the readings queue")
                            .sql(rule.sql())
                            .awsIotSqlVersion(Topology.SQL_VERSION)
                            .ruleDisabled(false)
                            .actions(List.of(sendTo(readings, rulesRole)))
                            .errorAction(sendTo(failedDeliveries, rulesRole))
                            .build())
                    .build();
        }

        // Lambda's pollers receive with the consumer's role, which StatelessStack grants from its needs.
        readingsToConsumer = EventSourceMapping.Builder.create(this, "ReadingsToFanOut")
                .target(props.consumer())
                .eventSourceArn(readings.getQueueArn())
                .batchSize(Topology.ReadingsQueue.BATCH_SIZE)
                .maxBatchingWindow(Duration.seconds(Topology.ReadingsQueue.MAX_BATCHING_WINDOW_SECONDS))
                .maxConcurrency(Topology.ReadingsQueue.MAX_CONCURRENCY)
                .reportBatchItemFailures(true)
                .build();
        props.consumer().configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(MAX_RETRY_ATTEMPTS)
                .maxEventAge(MAX_EVENT_AGE)
                .onFailure(new SendOnlyQueueDestination(failedInvocations))
                .build());
    }

    /** The queue between the rules and the fan-out. */
    public IQueue readings() {
        return readings;
    }

    /** Where the readings queue moves a reading after its last receive. */
    public IQueue readingsDeadLetters() {
        return readingsDeadLetters;
    }

    /**
     * The event source mapping from the readings queue to the consumer. Lambda checks the consumer's
     * role when the mapping is created, so the grant of the role's receive must come before it.
     */
    public EventSourceMapping readingsToConsumer() {
        return readingsToConsumer;
    }

    /** Where readings a rule could not hand to Lambda end up (IoT's error-action messages). */
    public IQueue failedDeliveries() {
        return failedDeliveries;
    }

    /** Where continued broadcasts end up that failed every attempt or grew too old (Lambda's invocation records). */
    public IQueue failedInvocations() {
        return failedInvocations;
    }

    /** The rules' SQS action: the rule's output as the message body, as it is (not base64). */
    private static CfnTopicRule.ActionProperty sendTo(IQueue queue, Role role) {
        return CfnTopicRule.ActionProperty.builder()
                .sqs(CfnTopicRule.SqsActionProperty.builder()
                        .queueUrl(queue.getQueueUrl())
                        .roleArn(role.getRoleArn())
                        .useBase64(false)
                        .build())
                .build();
    }

    /** sqs:SendMessage on this queue only (AWS IoT Developer Guide, "SQS action": required permissions). */
    private static void grantSend(Role role, IQueue queue) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("sqs:SendMessage"))
                .resources(List.of(queue.getQueueArn()))
                .build());
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
