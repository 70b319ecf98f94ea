package dev.edgewire.infra;

import dev.edgewire.contract.Metrics;
import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * What can be replaced at will: the functions of {@link Topology.Function}, the WebSocket API
 * wired to them by {@link Topology#ROUTES}, the topic rules of {@link Topology#TOPIC_RULES}, the
 * IoT endpoint lookup, and what operates them: alarms, their topic and a dashboard
 * ({@link Monitoring}), and IoT Core's logging ({@link IotLogging}). State it uses comes in
 * through {@link Props}.
 */
public final class StatelessStack extends Stack {

    /**
     * @param connectionTable the table of open connections
     * @param tokenSecret the key WebSocket tokens are signed with
     * @param stageName the WebSocket stage
     * @param lambdaJar the shaded jar of all handlers
     * @param operations alarms' recipient, the fan-out's reserved concurrency and IoT Core's log level
     */
    public record Props(ITable connectionTable, ISecret tokenSecret, String stageName, Path lambdaJar,
                        DeploymentSettings.Operations operations) {
    }

    private final Map<Topology.Function, HandlerFunction> functions = new EnumMap<>(Topology.Function.class);
    private final WebSocketEndpoint webSocketEndpoint;
    private final TelemetryRules rules;
    private final Monitoring monitoring;

    public StatelessStack(Construct scope, String id, StackProps stackProps, Props props) {
        super(scope, id, stackProps);
        webSocketEndpoint = new WebSocketEndpoint(this, "WebSocket",
                new WebSocketEndpoint.Props(props.stageName(), Topology.STAGE_THROTTLE));
        IotDataEndpoint iotEndpoint = new IotDataEndpoint(this, "IotDataEndpoint");

        // Each variable a function may be given; a function gets those its needs name, and no other.
        Map<String, String> settings = Map.of(
                Topology.Env.CONNECTIONS_TABLE, props.connectionTable().getTableName(),
                Topology.Env.CALLBACK_URL, webSocketEndpoint.callbackUrl(),
                Topology.Env.IOT_DATA_ENDPOINT, iotEndpoint.address(),
                Topology.Env.OUTBOUND_TOPIC, Topology.Topics.GENERAL_OUTBOUND,
                Topology.Env.COMMAND_TOPIC_TEMPLATE, Topology.Topics.COMMANDS_TEMPLATE,
                Topology.Env.TOKEN_SECRET_ARN, props.tokenSecret().getSecretArn());
        // One asset for every function: the jar is uploaded once.
        Code code = Code.fromAsset(props.lambdaJar().toAbsolutePath().toString());
        for (Topology.Function function : Topology.Function.values()) {
            Map<String, String> environment = new TreeMap<>(metricsEnvironment(props.stageName()));
            for (String name : function.environment()) {
                if (settings.containsKey(name)) {
                    environment.put(name, settings.get(name));
                }
            }
            // The fan-out keeps the capacity it delivers with; the others share the account's pool.
            OptionalInt reserved = function == Topology.ReadingsQueue.CONSUMER
                    ? props.operations().fanOutReservedConcurrency() : OptionalInt.empty();
            // "Handler" suffix: CDK treats a construct named "Default" specially.
            HandlerFunction handler = new HandlerFunction(this, function.id() + "Handler", new HandlerFunction.Props(
                    function, code, function.memoryMb(), Duration.seconds(function.timeoutSeconds()), environment,
                    reserved));
            functions.put(function, handler);
        }
        rules = new TelemetryRules(this, "Rules", new TelemetryRules.Props(alias(Topology.ReadingsQueue.CONSUMER)));
        // The continuation target's ARN exists once that function does; it is not told its own. The
        // readings queue exists once the rules do, and they need the consumer first.
        for (Topology.Function function : Topology.Function.values()) {
            if (function.environment().contains(Topology.Env.CONTINUATION_FUNCTION)) {
                functions.get(function).function().addEnvironment(Topology.Env.CONTINUATION_FUNCTION,
                        alias(Topology.CONTINUATION_TARGET).getFunctionArn());
            }
            if (function.environment().contains(Topology.Env.READINGS_QUEUE_URL)) {
                functions.get(function).function().addEnvironment(Topology.Env.READINGS_QUEUE_URL,
                        rules.readings().getQueueUrl());
            }
            grantWhatItNeeds(function, props);
        }

        IFunction authorizer = alias(Topology.Function.AUTHORIZER);
        for (Topology.Route route : Topology.ROUTES) {
            webSocketEndpoint.addRoute(route, alias(route.function()), authorizer);
        }

        Map<String, IFunction> apiFunctions = new LinkedHashMap<>();
        for (Topology.Route route : Topology.ROUTES) {
            apiFunctions.put(route.function().id(), functions.get(route.function()).function());
        }
        apiFunctions.put(Topology.Function.AUTHORIZER.id(), functions.get(Topology.Function.AUTHORIZER).function());
        Map<String, IQueue> failureQueues = new LinkedHashMap<>();
        failureQueues.put("ReadingsDeadLetters", rules.readingsDeadLetters());
        failureQueues.put("FailedDeliveries", rules.failedDeliveries());
        failureQueues.put("FailedInvocations", rules.failedInvocations());
        monitoring = new Monitoring(this, "Monitoring", new Monitoring.Props(props.stageName(),
                props.operations().alarmEmail(), webSocketEndpoint.apiId(),
                functions.get(Topology.ReadingsQueue.CONSUMER).function(), apiFunctions, rules.readings(), failureQueues));
        props.operations().iotLogLevel().ifPresent(level ->
                new IotLogging(this, "IotLogging", new IotLogging.Props(level)));

        output(Outputs.WEB_SOCKET_URL, webSocketEndpoint.url(), "wss:// URL of the WebSocket stage; add ?token=...");
        output(Outputs.CALLBACK_URL, webSocketEndpoint.callbackUrl(), "Base URL of the @connections management API");
        output(Outputs.IOT_ENDPOINT, iotEndpoint.address(), "IoT data-ATS endpoint host (MQTT and HTTPS)");
        output(Outputs.MQTT_PORT, Integer.toString(Outputs.AWS_MQTT_PORT), "MQTT over TLS port of the IoT endpoint");
        output(Outputs.HTTPS_PORT, Integer.toString(Outputs.AWS_HTTPS_PORT), "HTTPS publish port of the IoT endpoint");
        output(Outputs.READINGS_QUEUE_URL, rules.readings().getQueueUrl(),
                "The queue between the topic rules and the fan-out function");
        output(Outputs.READINGS_DEAD_LETTERS_QUEUE_URL, rules.readingsDeadLetters().getQueueUrl(),
                "Readings the fan-out failed on every receive (the readings queue's dead-letter queue)");
        output(Outputs.FAILED_DELIVERIES_QUEUE_URL, rules.failedDeliveries().getQueueUrl(),
                "Readings the topic rules could not send to the readings queue (IoT's error-action messages)");
        output(Outputs.FAILED_INVOCATIONS_QUEUE_URL, rules.failedInvocations().getQueueUrl(),
                "Continued broadcasts that failed every attempt or grew too old (Lambda's invocation records)");
        output(Outputs.DASHBOARD_URL, monitoring.dashboardUrl(),
                "CloudWatch dashboard of the functions, queues and WebSocket stage");
        output(Outputs.ALARM_TOPIC_ARN, monitoring.topic().getTopicArn(),
                "SNS topic every alarm notifies; subscribe with --context alarmEmail=ADDRESS or in the SNS console");
    }

    /**
     * What every function is told about its metrics: the stage (their one dimension) and the
     * namespace Powertools writes them to.
     */
    static Map<String, String> metricsEnvironment(String stageName) {
        return Map.of(
                Topology.Env.STAGE, stageName,
                Topology.Env.POWERTOOLS_METRICS_NAMESPACE, Metrics.NAMESPACE);
    }

    public Monitoring monitoring() {
        return monitoring;
    }

    /** The alias callers invoke. */
    public IFunction alias(Topology.Function function) {
        return functions.get(function).alias();
    }

    /** Exactly the actions of the function's {@link Topology.Need needs}, each on its own resources. */
    private void grantWhatItNeeds(Topology.Function function, Props props) {
        HandlerFunction handlerFunction = functions.get(function);
        IFunction handler = handlerFunction.alias();
        Role role = handlerFunction.role();
        List<String> tableActions = function.needs().stream()
                .filter(n -> n.environment().contains(Topology.Env.CONNECTIONS_TABLE))
                .flatMap(n -> n.actions().stream())
                .sorted()
                .toList();
        if (!tableActions.isEmpty()) {
            props.connectionTable().grant(handler, tableActions.toArray(String[]::new));
        }
        for (Topology.Need need : function.needs()) {
            switch (need) {
                case SAVE_CONNECTION, SAVE_SUBSCRIPTION, LIMIT_MESSAGES, FORGET_CONNECTION, LIST_CONNECTIONS, HOLD_PLACE,
                        FREE_PLACE -> {
                    // granted together above, in one statement on the table
                }
                case POST_TO_CONNECTIONS -> webSocketEndpoint.grantPostToConnections(handler, role);
                case PUBLISH_TO_DEVICES -> {
                    grantPublishToDevices(handler);
                    Acknowledge.finding(role, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:"
                            + "<AWS::AccountId>:topic/" + Topology.Topics.forThing(Topology.Topics.COMMANDS_TEMPLATE, "*")
                            + "]", "A person may address any device; the wildcard stands for the thing name in"
                            + " the commands topic only, not for any other topic.");
                }
                case READ_TOKEN_KEY -> Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                        .grantee(handler)
                        .actions(need.actions())
                        .resourceArns(List.of(props.tokenSecret().getSecretArn()))
                        .build());
                case CONTINUE_BROADCAST -> grantContinuation(function, handlerFunction);
                case CONSUME_READINGS -> Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                        .grantee(handler)
                        .actions(need.actions())
                        .resourceArns(List.of(rules.readings().getQueueArn()))
                        .build())
                        .applyBefore(rules.readingsToConsumer());
                case QUEUE_MESSAGES -> Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                        .grantee(handler)
                        .actions(need.actions())
                        .resourceArns(List.of(rules.readings().getQueueArn()))
                        .build());
            }
        }
    }

    /**
     * lambda:InvokeFunction on the continuation target's alias. The target's own grant is a policy
     * of its own: in the role's default policy it would make the function depend on its own alias.
     */
    private void grantContinuation(Topology.Function function, HandlerFunction handlerFunction) {
        PolicyStatement invoke = PolicyStatement.Builder.create()
                .actions(Topology.Need.CONTINUE_BROADCAST.actions())
                .resources(List.of(alias(Topology.CONTINUATION_TARGET).getFunctionArn()))
                .build();
        if (function == Topology.CONTINUATION_TARGET) {
            Policy.Builder.create(handlerFunction, "ContinuationPolicy")
                    .statements(List.of(invoke))
                    .roles(List.of(handlerFunction.role()))
                    .build();
        } else {
            handlerFunction.role().addToPrincipalPolicy(invoke);
        }
    }

    /** iot:Publish on the cloud-to-device topics only: the shared outbound topic and every device's commands. */
    private void grantPublishToDevices(IGrantable grantee) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("iot:Publish"))
                .resourceArns(List.of(
                        topicArn(Topology.Topics.GENERAL_OUTBOUND),
                        topicArn(Topology.Topics.forThing(Topology.Topics.COMMANDS_TEMPLATE, "*"))))
                .build());
    }

    private String topicArn(String topic) {
        return formatArn(ArnComponents.builder().service("iot").resource("topic").resourceName(topic).build());
    }

    private void output(String key, String value, String description) {
        CfnOutput.Builder.create(this, key).value(value).description(description).build();
    }
}
