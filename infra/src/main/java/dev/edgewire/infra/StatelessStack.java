package dev.edgewire.infra;

import dev.edgewire.topology.Topology;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.constructs.Construct;

/**
 * What can be replaced at will: the functions of {@link Topology.Function}, the WebSocket API
 * wired to them by {@link Topology#ROUTES}, the topic rules of {@link Topology#TOPIC_RULES}, and the
 * IoT endpoint lookup. State it uses comes in through {@link Props}.
 */
public final class StatelessStack extends Stack {

    /** AWS IoT Core's MQTT over TLS port (443 with ALPN {@code x-amzn-mqtt-ca} also works). */
    public static final int MQTT_PORT = 8883;
    /** AWS IoT Core's HTTPS publish port (443 with ALPN {@code x-amzn-http-ca} also works). */
    public static final int HTTPS_PORT = 8443;
    /** Stage throttling: steady messages per second and burst, well under the account's 10,000. */
    static final int STAGE_RATE_LIMIT = 500;
    static final int STAGE_BURST_LIMIT = 1000;

    /**
     * @param connectionTable the table of open connections
     * @param tokenSecret the key WebSocket tokens are signed with
     * @param stageName the WebSocket stage
     * @param lambdaJar the shaded jar of all handlers
     */
    public record Props(ITable connectionTable, ISecret tokenSecret, String stageName, Path lambdaJar) {
    }

    /** Memory and time limit of one function. */
    record Sizing(int memoryMb, Duration timeout) {
    }

    private final Map<Topology.Function, HandlerFunction> functions = new EnumMap<>(Topology.Function.class);
    private final ConnectionApi connectionApi;

    public StatelessStack(Construct scope, String id, StackProps stackProps, Props props) {
        super(scope, id, stackProps);
        connectionApi = new ConnectionApi(this, "WebSocket",
                new ConnectionApi.Props(props.stageName(), STAGE_RATE_LIMIT, STAGE_BURST_LIMIT));
        IotDataEndpoint iotEndpoint = new IotDataEndpoint(this, "IotDataEndpoint");

        Map<String, String> environment = Map.of(
                Topology.Env.CONNECTIONS_TABLE, props.connectionTable().getTableName(),
                Topology.Env.CALLBACK_URL, connectionApi.callbackUrl(),
                Topology.Env.IOT_DATA_ENDPOINT, iotEndpoint.address(),
                Topology.Env.OUTBOUND_TOPIC, Topology.Topics.GENERAL_OUTBOUND,
                Topology.Env.COMMAND_TOPIC_TEMPLATE, Topology.Topics.COMMANDS_TEMPLATE,
                Topology.Env.TOKEN_SECRET_ARN, props.tokenSecret().getSecretArn());
        // One asset for every function: the jar is uploaded once.
        Code code = Code.fromAsset(props.lambdaJar().toAbsolutePath().toString());
        for (Topology.Function function : Topology.Function.values()) {
            Sizing sizing = sizing(function);
            // "Handler" suffix: CDK treats a construct named "Default" specially.
            HandlerFunction handler = new HandlerFunction(this, function.id() + "Handler", new HandlerFunction.Props(
                    function, code, sizing.memoryMb(), sizing.timeout(), environment));
            functions.put(function, handler);
            grantWhatItNeeds(function, handler, props);
        }

        IFunction authorizer = alias(Topology.Function.AUTHORIZER);
        for (Topology.Route route : Topology.ROUTES) {
            connectionApi.addRoute(route, alias(route.function()), authorizer);
        }

        Map<Topology.Function, IFunction> aliases = new EnumMap<>(Topology.Function.class);
        functions.forEach((function, handler) -> aliases.put(function, handler.alias()));
        TelemetryRules rules = new TelemetryRules(this, "Rules", new TelemetryRules.Props(aliases));

        output("WebSocketUrl", connectionApi.url(), "wss:// URL of the WebSocket stage; add ?token=...");
        output("CallbackUrl", connectionApi.callbackUrl(), "Base URL of the @connections management API");
        output("IotEndpoint", iotEndpoint.address(), "IoT data-ATS endpoint host (MQTT and HTTPS)");
        output("MqttPort", Integer.toString(MQTT_PORT), "MQTT over TLS port of the IoT endpoint");
        output("HttpsPort", Integer.toString(HTTPS_PORT), "HTTPS publish port of the IoT endpoint");
        output("FailedDeliveriesQueueUrl", rules.failedDeliveries().getQueueUrl(),
                "Readings the topic rules could not hand to the fan-out function (IoT's error-action messages)");
        output("FailedInvocationsQueueUrl", rules.failedInvocations().getQueueUrl(),
                "Readings whose fan-out failed every attempt or grew too old (Lambda's invocation records)");
    }

    /** The alias callers invoke. */
    public IFunction alias(Topology.Function function) {
        return functions.get(function).alias();
    }

    /**
     * Memory also sets the CPU share. The two broadcasting functions post to every connection
     * concurrently and get a bit over half a vCPU; the rest make one or two small calls (a
     * DynamoDB write, an HMAC check, one post back) and do fine on half of that.
     */
    static Sizing sizing(Topology.Function function) {
        return switch (function) {
            case SEND_MESSAGE, FAN_OUT -> new Sizing(1024, Duration.seconds(30));
            case CONNECT, DISCONNECT, DEFAULT, AUTHORIZER -> new Sizing(512, Duration.seconds(10));
        };
    }

    /** Least privilege, by what each handler does. */
    private void grantWhatItNeeds(Topology.Function function, HandlerFunction handlerFunction, Props props) {
        IFunction handler = handlerFunction.alias();
        Role role = handlerFunction.role();
        switch (function) {
            case CONNECT, DISCONNECT -> props.connectionTable().grantWriteData(handler);
            case SEND_MESSAGE -> {
                // Reads every connection to broadcast and deletes the ones that are gone.
                props.connectionTable().grantReadWriteData(handler);
                connectionApi.grantManageConnections(handler, role);
                grantPublishToDevices(handler);
                Acknowledge.finding(role, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:"
                        + "<AWS::AccountId>:topic/" + Topology.Topics.forThing(Topology.Topics.COMMANDS_TEMPLATE, "*")
                        + "]", "A person may address any device; the wildcard stands for the thing name in"
                        + " the commands topic only, not for any other topic.");
            }
            case FAN_OUT -> {
                props.connectionTable().grantReadWriteData(handler);
                connectionApi.grantManageConnections(handler, role);
            }
            // Answers the sender only (an error for an unknown action), and forgets the sender's row
            // if API Gateway says it is already gone.
            case DEFAULT -> {
                props.connectionTable().grant(handler, "dynamodb:DeleteItem");
                connectionApi.grantManageConnections(handler, role);
            }
            case AUTHORIZER -> props.tokenSecret().grantRead(handler);
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
