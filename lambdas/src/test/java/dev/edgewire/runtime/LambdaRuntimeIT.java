package dev.edgewire.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Tokens;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.testing.ContainerCredentialsEndpoint;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.testing.LambdaExecutionEnvironment;
import dev.edgewire.testing.LambdaExecutionEnvironment.InitType;
import dev.edgewire.standins.lambda.LambdaJvm;
import dev.edgewire.testing.LambdaRuntimeApi;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.contract.Topology.Function;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Every function as Lambda runs it: each from the shaded jar, in its own JVM, through Lambda's
 * own Java runtime client, fed by a local Runtime API ({@link LambdaExecutionEnvironment}). Each
 * runs in the two environments Lambda gives it: restored by SnapStart, where the role's
 * credentials come only from the container credentials endpoint and the CRaC hooks run before the
 * first invocation; and started on demand, with the credentials in the environment.
 *
 * <p>Each function serves its real event fixtures against dynalite, the {@code @connections} and
 * IoT Data stand-in and a Secrets Manager stand-in, and the tests check what it did there. Every
 * stand-in, DynamoDB included, accepts only requests signed with the credentials that
 * environment hands out. All the JVMs start together before the first test; each serves all of
 * its function's fixtures.
 */
@ExtendWith(DynamoDbExtension.class)
class LambdaRuntimeIT {

    /** How Lambda made the execution environment, and so where the role's credentials are. */
    enum Environment {
        /** Restored from a snapshot: no keys in the environment, a container credentials endpoint instead. */
        SNAP_START(InitType.SNAP_START),
        /** Keys and session token in {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}. */
        ON_DEMAND(InitType.ON_DEMAND);

        final InitType initType;

        Environment(InitType initType) {
            this.initType = initType;
        }
    }

    private static final String SENDER = "Cl4bbeTTjoECGfQ=";
    private static final String TOKEN_KEY = "lambda-runtime-it-token-key-0123456789abcdef";
    /** Priming's log line: the functions' {@code beforeCheckpoint} hook ran. */
    private static final String PRIMED = "\"message\":\"primed in ";

    private static final Map<Environment, Map<Function, Deployed>> DEPLOYED = new EnumMap<>(Environment.class);
    private static final AtomicInteger INVOCATIONS = new AtomicInteger();
    private static DynamoDbClient dynamoDb;
    private static long startedNanos;

    /** One function in one environment, with the stand-ins only it talks to. */
    private record Deployed(Environment environment, Function function, LambdaExecutionEnvironment lambda,
                            CloudStandIn aws, ContainerCredentialsEndpoint credentialsEndpoint,
                            String table, ConnectionRepository connections) {

        /**
         * Serves one event. The runtime must post a response, not an error, and the function's log
         * lines must carry the request id the Runtime API gave it.
         */
        JsonNode serve(String event) {
            LambdaRuntimeApi.Outcome outcome = lambda.invoke(event);
            INVOCATIONS.incrementAndGet();
            JsonNode body = json(outcome.body());
            if (outcome.failed()) {
                String where = stream(body.path("stackTrace")).map(JsonNode::asText)
                        .filter(frame -> frame.startsWith("dev.edgewire.")).findFirst().orElse("?");
                fail("%s answered on the Runtime API's error path (%s): %s: %s%n  at %s%n  (its whole output: %s)",
                        lambda, outcome.errorType(), body.path("errorType").asText(), body.path("errorMessage").asText(),
                        where, lambda.logFile());
            }
            assertThat(lambda.output()).as("output of %s", lambda)
                    .contains("\"" + Logging.REQUEST_ID + "\":\"" + outcome.requestId() + "\"");
            return body;
        }

        JsonNode serveFixture(String name) {
            return serve(Events.text(name));
        }

        /**
         * It ran as Lambda runs it in this environment, and every call it made to AWS was signed
         * with the credentials this environment hands out: the stand-in refuses anything else.
         */
        void assertRanAsLambdaDoes(String... signedFor) {
            List<String> calls = lambda.runtimeApiCalls();
            String output = lambda.output();
            if (environment == Environment.SNAP_START) {
                // The runtime client runs beforeCheckpoint, waits on restore/next, then runs afterRestore.
                assertThat(calls).as("Runtime API calls of %s", lambda).contains(LambdaRuntimeApi.RESTORE_NEXT);
                assertThat(calls.indexOf(LambdaRuntimeApi.RESTORE_NEXT)).isLessThan(calls.indexOf(LambdaRuntimeApi.NEXT));
                assertThat(output).as("output of %s", lambda).contains(PRIMED)
                        .contains(" SDK round trips for " + function + " against the loopback endpoint")
                        .doesNotContain("round trips for " + function + " failed");
                assertThat(credentialsEndpoint.served()).as("credentials fetched with the right token").isPositive();
                assertThat(credentialsEndpoint.refused()).as("credential requests refused").isZero();
            } else {
                assertThat(calls).as("Runtime API calls of %s", lambda).doesNotContain(LambdaRuntimeApi.RESTORE_NEXT);
                assertThat(output).as("output of %s", lambda).doesNotContain(PRIMED);
            }
            for (String service : signedFor) {
                assertThat(aws.verifiedSignatures(service))
                        .as("%s requests to %s signed with this environment's credentials", lambda, service)
                        .isPositive();
            }
        }
    }

    /** What one function talks to in one environment, and the variables that point it there. */
    private record StandIns(String table, CloudStandIn aws, ContainerCredentialsEndpoint credentialsEndpoint,
                            Map<String, String> variables) {
    }

    @BeforeAll
    static void startEveryFunctionInBothEnvironments(Endpoint endpoint, DynamoDbClient client) throws IOException {
        assumeTrue(endpoint.uri().getHost().equals("127.0.0.1"), "the stand-in passes DynamoDB calls signed with made-up credentials on to the store");
        dynamoDb = client;
        startedNanos = System.nanoTime();
        // Everything else first, so the JVMs start together and none waits on set-up the others slow down.
        LambdaExecutionEnvironment.unpackShadedJar();
        Map<Environment, Map<Function, StandIns>> standIns = new EnumMap<>(Environment.class);
        for (Environment environment : Environment.values()) {
            standIns.put(environment, new EnumMap<>(Function.class));
            for (Function function : Function.values()) {
                standIns.get(environment).put(function, standIns(environment, function, endpoint));
            }
        }
        double setUp = (System.nanoTime() - startedNanos) / 1e9;
        for (Environment environment : Environment.values()) {
            DEPLOYED.put(environment, new EnumMap<>(Function.class));
        }
        // A function's two environments one after the other: its test runs both.
        for (Function function : Function.values()) {
            for (Environment environment : Environment.values()) {
                StandIns s = standIns.get(environment).get(function);
                var lambda = LambdaExecutionEnvironment.start(function, environment.initType, function.memoryMb(),
                        Duration.ofSeconds(function.timeoutSeconds()), s.variables());
                DEPLOYED.get(environment).put(function, new Deployed(environment, function, lambda, s.aws(), s.credentialsEndpoint(),
                        s.table(), new ConnectionRepository(dynamoDb, s.table(), Clock.systemUTC(), 1)));
            }
        }
        System.out.printf("LambdaRuntimeIT: jar unpacked, tables and stand-ins ready in %.1f s; %d JVMs starting, %d at a time%n",
                setUp, 2 * Function.values().length, LambdaExecutionEnvironment.STARTING_AT_ONCE);
    }

    private static StandIns standIns(Environment environment, Function function, Endpoint endpoint) throws IOException {
        String table = endpoint.createConnectionTable(dynamoDb);
        CloudStandIn aws = new CloudStandIn();
        aws.serveSecret(TOKEN_KEY);
        aws.forwardDynamoDbTo(endpoint.uri());
        Map<String, String> variables = new HashMap<>(LambdaJvm.functionEnvironment(function, aws, table));
        variables.putAll(LambdaJvm.endpointOverrides(aws.iotDataEndpoint(), aws));
        AwsSessionCredentials role = ContainerCredentialsEndpoint.newRoleSession();
        aws.verifySignatures(role);
        ContainerCredentialsEndpoint credentialsEndpoint = null;
        if (environment == Environment.SNAP_START) {
            credentialsEndpoint = new ContainerCredentialsEndpoint(role);
            variables.putAll(credentialsEndpoint.environment());
        } else {
            variables.put("AWS_ACCESS_KEY_ID", role.accessKeyId());
            variables.put("AWS_SECRET_ACCESS_KEY", role.secretAccessKey());
            variables.put("AWS_SESSION_TOKEN", role.sessionToken());
        }
        return new StandIns(table, aws, credentialsEndpoint, variables);
    }

    @AfterAll
    static void stopEverything() {
        if (DEPLOYED.isEmpty()) {
            return;
        }
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        List<String> inits = new ArrayList<>();
        DEPLOYED.forEach((environment, functions) -> functions.forEach((function, deployed) -> {
            inits.add(String.format("%-24s init %6s ms, CPU %6s ms", deployed.lambda(),
                    deployed.lambda().initDurationIfDone().map(d -> Long.toString(d.toMillis())).orElse("-"),
                    deployed.lambda().cpuTime().map(d -> Long.toString(d.toMillis())).orElse("-")));
            deployed.lambda().close();
            deployed.aws().close();
            if (deployed.credentialsEndpoint() != null) {
                deployed.credentialsEndpoint().close();
            }
            dynamoDb.deleteTable(b -> b.tableName(deployed.table()));
        }));
        System.out.printf("LambdaRuntimeIT: %d execution environments served %d events in %.1f s,"
                        + " from the first JVM start to the last answer, on %d cores%n  %s%n",
                inits.size(), INVOCATIONS.get(), seconds, Runtime.getRuntime().availableProcessors(), String.join("\n  ", inits));
    }

    private static String write(Object event) {
        try {
            return Json.MAPPER.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    private static Deployed deployed(Environment environment, Function function) {
        return DEPLOYED.get(environment).get(function);
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void connect_storesTheConnectionWithItsSourceIp(Environment environment) {
        Deployed connect = deployed(environment, Function.CONNECT);

        JsonNode response = connect.serveFixture("connect.json");

        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        Map<String, AttributeValue> row = dynamoDb.getItem(b -> b.tableName(connect.table())
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(SENDER)))).item();
        assertThat(row).containsKey(ConnectionTable.CONNECTED_AT);
        assertThat(row.get(ConnectionTable.SOURCE_IP).s()).isEqualTo("203.0.113.7");
        connect.assertRanAsLambdaDoes("dynamodb");
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void disconnect_deletesTheConnection_andLeavesTheOthers(Environment environment) {
        Deployed disconnect = deployed(environment, Function.DISCONNECT);
        disconnect.connections().save(SENDER, "203.0.113.7");
        disconnect.connections().save("other=", "198.51.100.1");

        JsonNode response = disconnect.serveFixture("disconnect.json");

        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        assertThat(disconnect.connections().connectionIds()).containsExactly("other=");
        disconnect.assertRanAsLambdaDoes("dynamodb");
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void sendMessage_queuesTheMessageForTheFanOut_andPublishesToTheDevices(Environment environment) throws IOException {
        Deployed sendMessage = deployed(environment, Function.SEND_MESSAGE);
        sendMessage.connections().save(SENDER, "203.0.113.7");
        sendMessage.connections().save("other=", "198.51.100.1");

        JsonNode toAll = sendMessage.serveFixture("send-message.json");
        JsonNode toOne = sendMessage.serveFixture("send-message-to-device.json");

        assertThat(toAll.path("statusCode").asInt()).isEqualTo(200);
        assertThat(toOne.path("statusCode").asInt()).isEqualTo(200);
        // One send each for the WebSocket clients, whatever their number; the fan-out delivers it.
        assertThat(sendMessage.aws().posts()).isEmpty();
        List<CloudStandIn.Queued> queued = sendMessage.aws().queued();
        assertThat(queued).hasSize(2);
        assertThat(queued).allSatisfy(q -> {
            assertThat(q.queueUrl()).isEqualTo(LambdaJvm.READINGS_QUEUE_URL);
            assertThat(q.attributes()).containsEntry(Topology.ReadingsQueue.KIND_ATTRIBUTE, Topology.ReadingsQueue.KIND_MESSAGE);
        });
        JsonNode first = Json.MAPPER.readTree(queued.getFirst().body());
        assertThat(first.path("type").asText()).isEqualTo("message");
        assertThat(first.path("from").asText()).isEqualTo(SENDER);
        assertThat(first.path("message").asText()).isEqualTo("hello from terminal2");
        assertThat(sendMessage.aws().publishes()).extracting(CloudStandIn.Publish::topic)
                .containsExactly(Topology.Topics.GENERAL_OUTBOUND, "devices/thing-1/commands");
        JsonNode command = Json.MAPPER.readTree(sendMessage.aws().publishes().getLast().body());
        assertThat(command.path("message").path("command").asText()).isEqualTo("blink");
        assertThat(Json.MAPPER.readTree(queued.getLast().body())).isEqualTo(command);
        sendMessage.assertRanAsLambdaDoes("sqs", "iotdata");
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void subscribe_storesTheChoiceOnTheSendersRow_andConfirmsItToTheSenderAlone(Environment environment) throws IOException {
        Deployed subscribe = deployed(environment, Function.SUBSCRIBE);
        subscribe.connections().save(SENDER, "203.0.113.7");
        subscribe.connections().save("other=", "198.51.100.1");

        JsonNode response = subscribe.serveFixture("subscribe.json");

        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        assertThat(subscribe.connections().watchers()).containsExactlyInAnyOrder(
                new dev.edgewire.connection.Watcher(SENDER, java.util.Set.of("thing-1", "thing-2")),
                dev.edgewire.connection.Watcher.ofAll("other="));
        Map<String, List<String>> frames = subscribe.aws().postsById();
        assertThat(frames).containsOnlyKeys(SENDER);
        assertThat(Json.MAPPER.readTree(frames.get(SENDER).getFirst()))
                .isEqualTo(Json.MAPPER.readTree("{\"type\":\"subscribed\",\"devices\":[\"thing-1\",\"thing-2\"]}"));
        subscribe.assertRanAsLambdaDoes("dynamodb", "execute-api");
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void defaultRoute_answersOnlyTheSender_withTheValidActions(Environment environment) throws IOException {
        Deployed defaultRoute = deployed(environment, Function.DEFAULT);
        defaultRoute.connections().save(SENDER, "203.0.113.7");
        defaultRoute.connections().save("other=", "198.51.100.1");

        JsonNode response = defaultRoute.serveFixture("default-route.json");

        assertThat(response.path("statusCode").asInt()).isEqualTo(400);
        Map<String, List<String>> frames = defaultRoute.aws().postsById();
        assertThat(frames).containsOnlyKeys(SENDER);
        JsonNode error = Json.MAPPER.readTree(frames.get(SENDER).getFirst());
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("detail").asText()).contains("Unknown action \"publish\"").contains("sendMessage");
        defaultRoute.assertRanAsLambdaDoes("execute-api");
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void authorizer_allowsAFreshToken_andDeniesAConnectionWithout(Environment environment) throws IOException {
        Deployed authorizer = deployed(environment, Function.AUTHORIZER);
        ObjectNode withToken = (ObjectNode) Json.MAPPER.readTree(Events.text("authorizer-connect.json"));
        String token = Tokens.mint(TOKEN_KEY.getBytes(StandardCharsets.UTF_8), "wscat-user", Tokens.Grant.ALL, Duration.ofMinutes(5), Clock.systemUTC());
        ((ObjectNode) withToken.get("queryStringParameters")).put(Topology.TOKEN_QUERY_PARAMETER, token);
        ((ObjectNode) withToken.get("multiValueQueryStringParameters")).putArray(Topology.TOKEN_QUERY_PARAMETER).add(token);

        JsonNode allowed = authorizer.serve(Json.write(withToken));
        JsonNode denied = authorizer.serveFixture("authorizer-connect-without-token.json");

        assertThat(allowed.path("principalId").asText()).isEqualTo("wscat-user");
        assertThat(allowed.at("/policyDocument/Statement/0/Effect").asText()).isEqualTo("Allow");
        assertThat(allowed.at("/policyDocument/Statement/0/Resource/0").asText())
                .isEqualTo("arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/demo/$connect");
        assertThat(denied.at("/policyDocument/Statement/0/Effect").asText()).isEqualTo("Deny");
        authorizer.assertRanAsLambdaDoes("secretsmanager");
        if (environment == Environment.SNAP_START) {
            // Read in afterRestore, with the credentials the restored environment hands out, not before the snapshot.
            assertThat(authorizer.lambda().output()).as("output of %s", authorizer.lambda())
                    .contains("token keys read from " + LambdaJvm.TOKEN_SECRET_ARN + " after the restore");
        }
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void fanOut_sendsEachReadingToEveryConnection_andDropsOneWithoutADevice(Environment environment) {
        Deployed fanOut = deployed(environment, Function.FAN_OUT);
        fanOut.connections().save("a=", "198.51.100.1");
        fanOut.connections().save("b=", "198.51.100.2");

        // One batch from the readings queue at a time, as the event source mapping hands them over.
        for (String fixture : List.of("telemetry-rule-output.json", "general-inbound-rule-output.json",
                "general-inbound-https-rule-output.json", "general-inbound-without-device-rule-output.json")) {
            JsonNode answer = fanOut.serve(write(Events.messages(List.of(Events.text(fixture)))));
            assertThat(answer.path("batchItemFailures")).isEmpty();
        }

        Map<String, List<String>> frames = fanOut.aws().postsById();
        assertThat(frames).containsOnlyKeys("a=", "b=");
        for (List<String> received : frames.values()) {
            List<JsonNode> envelopes = received.stream().map(LambdaRuntimeIT::json).toList();
            assertThat(envelopes).extracting(e -> e.path("type").asText()).containsOnly("telemetry");
            // Named by what AWS authenticated: the topic, the MQTT client id, the HTTPS publisher's certificate.
            assertThat(envelopes).extracting(e -> e.path("deviceId").asText()).containsExactly("thing-1", "thing-2",
                    "8a0c7a3b9d2e4f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a");
        }
        fanOut.assertRanAsLambdaDoes("dynamodb", "execute-api");
    }
}
