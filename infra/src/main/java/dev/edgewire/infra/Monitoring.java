package dev.edgewire.infra;

import dev.edgewire.contract.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.CreateAlarmOptions;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.HorizontalAnnotation;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.Stats;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * What tells a person that the deployment needs them: alarms on what should never happen or
 * should stay small, an SNS topic they go to (with an email subscription when the deployment names
 * an address), and one dashboard of what the functions, the queues and the WebSocket stage do.
 *
 * <p>The functions' own metrics are read from {@link Metrics}: namespace {@value Metrics#NAMESPACE},
 * the one dimension {@value Metrics#STAGE_DIMENSION} = the stage. Missing data is not breaching for
 * counts and maxima, which are simply not emitted while nothing happens; the failure queues' depth
 * keeps its state when SQS stops reporting an idle queue.
 */
public final class Monitoring extends Construct {

    /** Counts are summed, queue depths read as their maximum, over five minutes: one notification per incident, not per reading. */
    static final Duration COUNT_PERIOD = Duration.minutes(5);

    /**
     * The fan-out lag (oldest reading of a delivered batch, from the rule's timestamp) above which
     * watchers are late: a reading waits at most 800 ms before its delivery starts (twice
     * {@code ReadingsQueue.COALESCE_FOR}), and a 500-connection shard takes about a second to post;
     * 5 s is more than twice that, and well under the 25 s a fan-out invocation has before it hands
     * its broadcast over.
     */
    static final int FAN_OUT_LAG_THRESHOLD_MS = 5_000;
    /** The lag is read each minute, as its maximum ... */
    static final Duration FAN_OUT_LAG_PERIOD = Duration.minutes(1);
    /**
     * ... and alarms when it stays above the bound for three minutes in a row: one slow batch (a
     * SnapStart restore, a worker tried again) is not an incident, a fan-out that cannot keep up is.
     */
    static final int FAN_OUT_LAG_PERIODS = 3;

    /**
     * Authorizer denials in five minutes above which someone is probing or a client loops on a bad
     * token: people with expired tokens who reconnect with back-off make a few a minute; 100 in five
     * minutes is one every three seconds, kept up. A spike of denials costs invocations, not
     * connections, so this asks for a look, not for action within minutes.
     */
    static final int AUTHORIZER_DENY_THRESHOLD = 100;

    /**
     * @param stageName the WebSocket stage: the value of every {@link Metrics#STAGE_DIMENSION}
     * @param alarmEmail who gets the alarms by email, if anyone
     * @param apiId the WebSocket API
     * @param fanOut the fan-out function (its metrics cover every alias and version)
     * @param apiFunctions the functions behind routes and the authorizer, by name: API Gateway answers 5xx when they fail
     * @param readings the queue between the rules and the fan-out
     * @param failureQueues queues that must stay empty, by name: what is in them was not delivered
     */
    public record Props(String stageName, Optional<String> alarmEmail, String apiId, IFunction fanOut,
                        Map<String, IFunction> apiFunctions, IQueue readings, Map<String, IQueue> failureQueues) {
    }

    private final Topic topic;
    private final Dashboard dashboard;
    private final List<Alarm> alarms = new ArrayList<>();

    public Monitoring(Construct scope, String id, Props props) {
        super(scope, id);
        topic = alarmTopic(props.alarmEmail());
        SnsAction notify = new SnsAction(topic);

        // Anything in a failure queue is a reading or a broadcast that did not reach watchers; the
        // queues keep it 14 days for a person to list, and an alarm makes sure someone looks. The depth
        // is a gauge, not a count, and SQS reports a queue only while CloudWatch counts it as active
        // (up to six hours after messages or actions): missing data keeps the alarm's state, so an
        // alarm about messages that may still be there is not cleared by silence.
        props.failureQueues().forEach((name, queue) -> alarm(name + "NotEmpty", queue
                        .metricApproximateNumberOfMessagesVisible(options(Stats.MAXIMUM, COUNT_PERIOD)),
                0, 1, TreatMissingData.IGNORE, name + " holds messages: readings or broadcasts that were not"
                        + " delivered. List them before they expire (14 days).", notify));

        // The fan-out reports failed readings itself (batchItemFailures): an invocation error is what
        // it did not expect (a crash, a timeout, memory), and every one is worth a look.
        alarm("FanOutErrors", props.fanOut().metricErrors(options(Stats.SUM, COUNT_PERIOD)), 0, 1,
                "The fan-out function failed invocations (crash, timeout or out of memory).", notify);
        // Its reserved concurrency is sized so the design never throttles it: a throttle means the
        // reservation is too small for the load (or was lowered), and workers or continuations wait.
        alarm("FanOutThrottles", props.fanOut().metricThrottles(options(Stats.SUM, COUNT_PERIOD)), 0, 1,
                "The fan-out function was throttled: its reserved concurrency is too small for the load.", notify);

        alarm("FanOutLag", edgewire(props, Metrics.FAN_OUT_LAG, Stats.MAXIMUM, FAN_OUT_LAG_PERIOD),
                FAN_OUT_LAG_THRESHOLD_MS, FAN_OUT_LAG_PERIODS, "Readings reach watchers more than "
                        + FAN_OUT_LAG_THRESHOLD_MS + " ms after IoT received them, for " + FAN_OUT_LAG_PERIODS
                        + " minutes in a row.", notify);

        // A failed call to a route's integration is a 5xx to the client (API Gateway Developer Guide,
        // "Monitor WebSocket API execution with CloudWatch metrics": ExecutionError, dimensions ApiId, Stage).
        alarm("WebSocketExecutionErrors", webSocket(props, "ExecutionError", Stats.SUM), 0, 1,
                "API Gateway could not call a route's function: clients got 5xx.", notify);
        // IntegrationError counts the integration's 4xx too, and the functions answer client mistakes
        // with 400, 410, 413 and 429; so 5xx from the functions are read at their source: a function
        // that fails makes API Gateway answer "Internal server error".
        Map<String, IMetric> routeErrors = new LinkedHashMap<>();
        props.apiFunctions().forEach((name, function) -> routeErrors.put("errors" + routeErrors.size(),
                function.metricErrors(options(Stats.SUM, COUNT_PERIOD))));
        alarm("RouteFunctionErrors", MathExpression.Builder.create()
                        .expression("SUM([" + String.join(",", routeErrors.keySet()) + "])")
                        .usingMetrics(routeErrors)
                        .label("Errors of the route functions and the authorizer")
                        .period(COUNT_PERIOD)
                        .build(), 0, 1,
                "A route's function or the authorizer failed: API Gateway answered clients with 5xx"
                        + " (Internal server error).", notify);

        alarm("AuthorizerDenials", edgewire(props, Metrics.AUTHORIZER_DENY, Stats.SUM, COUNT_PERIOD),
                AUTHORIZER_DENY_THRESHOLD, 1, "More than " + AUTHORIZER_DENY_THRESHOLD + " WebSocket tokens denied"
                        + " in 5 minutes: someone probing, or a client looping on a bad token.", notify);

        dashboard = dashboard(props);
    }

    /** The topic every alarm notifies, on alarm and on recovery. */
    public Topic topic() {
        return topic;
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }

    /** The dashboard in the CloudWatch console of the deployment's region. */
    public String dashboardUrl() {
        String region = Stack.of(this).getRegion();
        return "https://" + region + ".console.aws.amazon.com/cloudwatch/home?region=" + region
                + "#dashboards:name=" + dashboard.getDashboardName();
    }

    private Topic alarmTopic(Optional<String> email) {
        Topic alarmTopic = Topic.Builder.create(this, "AlarmTopic")
                .displayName("edgewire alarms")
                .enforceSsl(true)
                .build();
        // Only CloudWatch alarms of this account and region publish (confused-deputy protection).
        Stack stack = Stack.of(this);
        alarmTopic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("PublishAlarmsOfThisAccount")
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(alarmTopic.getTopicArn()))
                .conditions(new TreeMap<>(Map.of(
                        "ArnLike", Map.of("aws:SourceArn", stack.formatArn(ArnComponents.builder()
                                .service("cloudwatch").resource("alarm").resourceName("*")
                                .arnFormat(ArnFormat.COLON_RESOURCE_NAME).build())),
                        "StringEquals", Map.of("aws:SourceAccount", stack.getAccount()))))
                .build());
        Acknowledge.finding(alarmTopic, "AwsSolutions-SNS2", "The topic carries alarm notifications only (alarm"
                + " names, thresholds, metric values), no readings, messages or tokens. Encrypting it would take a"
                + " customer managed KMS key whose policy lets CloudWatch use it: alarms cannot publish to a topic"
                + " under the AWS managed SNS key (Amazon SNS Developer Guide, \"Enable compatibility between event"
                + " sources from AWS services and encrypted topics\").");
        email.ifPresent(address -> alarmTopic.addSubscription(new EmailSubscription(address)));
        return alarmTopic;
    }

    /** An alarm on a count or a maximum that is not written while nothing happens: missing data is not breaching. */
    private void alarm(String id, IMetric metric, double threshold, int periods, String description, SnsAction notify) {
        alarm(id, metric, threshold, periods, TreatMissingData.NOT_BREACHING, description, notify);
    }

    private void alarm(String id, IMetric metric, double threshold, int periods, TreatMissingData missing,
                       String description, SnsAction notify) {
        CreateAlarmOptions options = alarmOptions(threshold, periods, missing, description);
        Alarm alarm = metric instanceof Metric m
                ? m.createAlarm(this, id, options)
                : ((MathExpression) metric).createAlarm(this, id, options);
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
        alarms.add(alarm);
    }

    private static CreateAlarmOptions alarmOptions(double threshold, int periods, TreatMissingData missing,
                                                   String description) {
        return CreateAlarmOptions.builder()
                .threshold(threshold)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(periods)
                .datapointsToAlarm(periods)
                .treatMissingData(missing)
                .alarmDescription(description)
                .build();
    }

    private static MetricOptions options(String statistic, Duration period) {
        return MetricOptions.builder().statistic(statistic).period(period).build();
    }

    /** One of the functions' own metrics (embedded metric format), for this stage. */
    private static Metric edgewire(Props props, String name, String statistic, Duration period) {
        return Metric.Builder.create()
                .namespace(Metrics.NAMESPACE)
                .metricName(name)
                .dimensionsMap(Map.of(Metrics.STAGE_DIMENSION, props.stageName()))
                .statistic(statistic)
                .period(period)
                .build();
    }

    /** A WebSocket API metric of this API's stage (dimensions ApiId, Stage). */
    private static Metric webSocket(Props props, String name, String statistic) {
        return Metric.Builder.create()
                .namespace("AWS/ApiGateway")
                .metricName(name)
                // in a fixed order, so that every synthesis writes the same template
                .dimensionsMap(new TreeMap<>(Map.of("ApiId", props.apiId(), "Stage", props.stageName())))
                .statistic(statistic)
                .period(COUNT_PERIOD)
                .build();
    }

    private Dashboard dashboard(Props props) {
        Duration minute = Duration.minutes(1);
        Dashboard board = Dashboard.Builder.create(this, "Dashboard").build();
        board.addWidgets(
                graph("Readings in and delivered (per minute)",
                        edgewire(props, Metrics.READINGS_IN, Stats.SUM, minute),
                        edgewire(props, Metrics.READINGS_DELIVERED, Stats.SUM, minute),
                        edgewire(props, Metrics.FRAMES_DELIVERED, Stats.SUM, minute)),
                graph("Posts to gone connections, and failed posts (per minute)",
                        edgewire(props, Metrics.POSTS_GONE, Stats.SUM, minute),
                        edgewire(props, Metrics.POSTS_FAILED, Stats.SUM, minute)));
        board.addWidgets(
                GraphWidget.Builder.create()
                        .title("Fan-out lag, ms (maximum per minute)")
                        .left(List.of(edgewire(props, Metrics.FAN_OUT_LAG, Stats.MAXIMUM, minute)))
                        .leftAnnotations(List.of(HorizontalAnnotation.builder()
                                .value(FAN_OUT_LAG_THRESHOLD_MS).label("alarm").build()))
                        .width(12)
                        .build(),
                graph("Connections a batch went to (maximum per minute)",
                        edgewire(props, Metrics.CONNECTIONS, Stats.MAXIMUM, minute)));
        board.addWidgets(
                graph("Watchers' messages: queued and refused over their rate (per minute)",
                        edgewire(props, Metrics.MESSAGES_IN, Stats.SUM, minute),
                        edgewire(props, Metrics.MESSAGES_REFUSED, Stats.SUM, minute)),
                graph("Authorizer: tokens allowed and denied (per minute)",
                        edgewire(props, Metrics.AUTHORIZER_ALLOW, Stats.SUM, minute),
                        edgewire(props, Metrics.AUTHORIZER_DENY, Stats.SUM, minute)));
        List<IMetric> depths = new ArrayList<>();
        depths.add(props.readings().metricApproximateNumberOfMessagesVisible(
                MetricOptions.builder().statistic(Stats.MAXIMUM).period(minute).label("Readings").build()));
        props.failureQueues().forEach((name, queue) -> depths.add(queue.metricApproximateNumberOfMessagesVisible(
                MetricOptions.builder().statistic(Stats.MAXIMUM).period(minute).label(name).build())));
        board.addWidgets(
                graph("Queue depths (messages visible, maximum)", depths.toArray(IMetric[]::new)),
                graph("Fan-out: errors and throttles (per minute)",
                        props.fanOut().metricErrors(options(Stats.SUM, minute)),
                        props.fanOut().metricThrottles(options(Stats.SUM, minute))));
        board.addWidgets(
                graph("Fan-out: duration, ms (p99 and maximum)",
                        props.fanOut().metricDuration(options(Stats.p(99), minute)),
                        props.fanOut().metricDuration(options(Stats.MAXIMUM, minute))),
                graph("Fan-out: concurrent executions (maximum)",
                        props.fanOut().metric("ConcurrentExecutions", options(Stats.MAXIMUM, minute))));
        board.addWidgets(
                graph("WebSocket stage: connects and messages (per minute)",
                        webSocketPerMinute(props, "ConnectCount"),
                        webSocketPerMinute(props, "MessageCount")),
                graph("WebSocket stage: errors (per minute)",
                        webSocketPerMinute(props, "ExecutionError"),
                        webSocketPerMinute(props, "IntegrationError"),
                        webSocketPerMinute(props, "ClientError")));
        return board;
    }

    private static Metric webSocketPerMinute(Props props, String name) {
        return webSocket(props, name, Stats.SUM).with(MetricOptions.builder().period(Duration.minutes(1)).build());
    }

    private static GraphWidget graph(String title, IMetric... metrics) {
        return GraphWidget.Builder.create().title(title).left(List.of(metrics)).width(12).build();
    }
}
