package dev.edgewire.wiring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.contract.Tokens;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.broadcast.Frames;
import dev.edgewire.message.SendMessageParser;
import dev.edgewire.message.SubscribeParser;
import dev.edgewire.contract.Metrics;
import dev.edgewire.runtime.FunctionMetrics;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Logging;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import dev.edgewire.auth.SecretsManagerKey;
import dev.edgewire.auth.TokenAuthorizer;
import dev.edgewire.auth.TokenKeys;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.LambdaContinuation;
import dev.edgewire.broadcast.SignedConnectionPoster;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.contract.Topology;
import dev.edgewire.queue.ReadingsQueueClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * SnapStart priming: before Lambda snapshots an initialised function, run the code paths every
 * invocation takes so their classes are loaded, linked and warm in the snapshot, and the first
 * invocation after a restore costs about what a warm one does. Two parts:
 *
 * <ul>
 *   <li>{@link #primeCommonPaths()}: JSON in and out, body parsing, token checks, SDK request
 *       building, the metrics path.
 *   <li>{@link #primeRoundTrips}: the SDK calls the function makes, each as a real round trip
 *       through the same client classes, the same HTTP client implementation and the same SigV4
 *       signer the function uses, against a {@link PrimingEndpoint} on the loopback interface that
 *       answers canned, well-formed responses (and one error of each kind the functions handle).
 * </ul>
 *
 * <p>This is what AWS calls invoke priming: "preload dependencies and initialize resources ... or
 * preload them with dummy invocations" (Lambda Developer Guide, "Maximize Lambda SnapStart
 * performance", https://docs.aws.amazon.com/lambda/latest/dg/snapstart-best-practices.html; AWS
 * Compute Blog, "Optimizing cold start performance of AWS Lambda using advanced priming strategies
 * with SnapStart"). Those examples prime against the real service (a read of a real table); here
 * nothing reaches AWS or touches data, so priming needs no permission, cannot change a row, and
 * works the same in every account and in the tests.
 *
 * <p>Nothing from priming is left in the snapshot to go stale. The round trips use clients and an
 * HTTP client of their own, closed afterwards, so the function's clients hold no connection made
 * before the snapshot; the endpoint answers {@code Connection: close}, so no pooled connection to
 * it survives either, and it is stopped before priming returns. The credentials are static,
 * throwaway ones: the SigV4 signer runs in full (canonical request, signing key, signature) as it
 * does for the function, but the function's own credentials provider is not asked before the
 * snapshot. On Lambda it could not be, usefully: a SnapStart function gets the role's credentials
 * only from the container credentials endpoint after a restore, and credentials resolved before the
 * snapshot would be shared by every copy restored from it (Lambda Developer Guide, "Handling
 * uniqueness with Lambda SnapStart"). What the first invocation still does that priming cannot is
 * that fetch of credentials, and the connections to AWS themselves.
 *
 * <p>The metrics path is primed too, writing its documents nowhere: a document from priming would
 * reach CloudWatch as a real figure (a reading in, an allowed token), counted once per snapshot.
 */
public final class Priming {

    private static final Logger LOG = LoggerFactory.getLogger(Priming.class);
    private static final int ROUNDS = 50;
    private static final TypeReference<Map<String, Object>> RULE_OUTPUT = new TypeReference<>() { };

    private Priming() {
    }

    /** Registers a handler for the checkpoint; the runtime keeps only a weak reference, the handler lives on. */
    public static void register(Resource handler) {
        Core.getGlobalContext().register(handler);
    }

    /**
     * Everything {@code function} runs before its snapshot: the common paths, then its round trips.
     * A round trip that fails is logged and skipped: priming only makes the first invocation
     * faster, and a failure here must not stop the snapshot.
     */
    public static void prime(Topology.Function function) {
        long started = System.nanoTime();
        primeCommonPaths();
        try {
            RoundTrips trips = primeRoundTrips(function);
            LOG.info("primed {} SDK round trips for {} against the loopback endpoint", trips.calls().size(), function);
        } catch (IOException | RuntimeException e) {
            LOG.warn("priming's SDK round trips for {} failed; the first invocation loads what they would have: {}",
                    function, e.toString());
        }
        if (function == Topology.Function.AUTHORIZER) {
            primeAuthorizer();
        }
        // With the fields every invocation's lines carry, so the log layout's path for them is warm too.
        Logging.whilePriming(new PrimingContext(), () -> {
            LOG.info("primed in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
            return null;
        });
    }

    /**
     * The authorizer calls no service, so its whole handler is primed: a token allowed and one denied,
     * signed with a throwaway key, counted by metrics that write nowhere, its log lines with the fields
     * an invocation's carry ({@link Logging#whilePriming}: the first real invocation is still the cold start).
     */
    private static void primeAuthorizer() {
        byte[] throwawayKey = "priming-authorizer-key-not-a-secret-0123".getBytes(StandardCharsets.UTF_8);
        TokenAuthorizer authorizer = new TokenAuthorizer(TokenKeys.of(() -> throwawayKey), Clock.systemUTC(),
                FunctionMetrics.quiet(Metrics.NAMESPACE, "priming", document -> { }));
        String token = Tokens.mint(throwawayKey, "priming", Tokens.Grant.ALL, Duration.ofMinutes(1), Clock.systemUTC());
        for (String presented : new String[] {token, "not-a-token"}) {
            APIGatewayCustomAuthorizerEvent event = new APIGatewayCustomAuthorizerEvent();
            event.setType("REQUEST");
            event.setMethodArn("arn:aws:execute-api:us-east-1:000000000000:priming/priming/$connect");
            event.setQueryStringParameters(Map.of(Topology.TOKEN_QUERY_PARAMETER, presented));
            Logging.whilePriming(new PrimingContext(), () -> authorizer.handleRequest(event, null));
        }
    }

    /**
     * The services {@code function}'s handler calls (see {@link HandlerFactory}): only those, so a
     * function's snapshot holds the classes it uses and no others.
     */
    static Set<Service> servicesOf(Topology.Function function) {
        return switch (function) {
            case CONNECT, DISCONNECT -> EnumSet.of(Service.DYNAMODB);
            case SUBSCRIBE, DEFAULT -> EnumSet.of(Service.DYNAMODB, Service.CONNECTIONS);
            case SEND_MESSAGE -> EnumSet.of(Service.DYNAMODB, Service.CONNECTIONS, Service.IOT_DATA, Service.SQS);
            case AUTHORIZER -> EnumSet.of(Service.SECRETS_MANAGER);
            case FAN_OUT -> EnumSet.of(Service.DYNAMODB, Service.CONNECTIONS, Service.SQS, Service.LAMBDA);
        };
    }

    /** What the functions call, each through the class the function itself calls it with. */
    enum Service {
        /** {@link DynamoDbClient}: the connections table. */
        DYNAMODB,
        /** {@link SignedConnectionPoster}: posts to {@code @connections}, on the SDK's HTTP client and signer. */
        CONNECTIONS,
        /** {@link IotDataPlaneClient}: publishes to devices. */
        IOT_DATA,
        /** {@link SqsClient}: the readings queue. */
        SQS,
        /** {@link SecretsManagerClient}: the token keys. */
        SECRETS_MANAGER,
        /** {@link LambdaContinuation}: Lambda's Invoke, signed as the posts are. */
        LAMBDA
    }

    /** What a priming's round trips did: the requests the endpoint answered, in order, and the port it listened on. */
    record RoundTrips(List<PrimingEndpoint.Call> calls, int port) {
    }

    /**
     * Makes {@code function}'s SDK calls against a loopback endpoint started for them and stopped
     * before this returns, through clients built for them and closed before this returns.
     */
    static RoundTrips primeRoundTrips(Topology.Function function) throws IOException {
        Set<Service> services = servicesOf(function);
        // Throwaway keys: see the class comment for why not the function's own credentials.
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIDPRIMINGNOTAKEY00", "priming-not-a-secret-access-key-0123456789"));
        Region region = Region.US_EAST_1;
        try (PrimingEndpoint endpoint = PrimingEndpoint.start();
             SdkHttpClient http = CloudServices.primingHttpClient()) {
            URI uri = endpoint.uri();
            try {
                calls(services, http, credentials, region, uri);
            } finally {
                closeConnections(http, uri);
            }
            return new RoundTrips(endpoint.calls(), endpoint.port());
        }
    }

    private static void calls(Set<Service> services, SdkHttpClient http, StaticCredentialsProvider credentials,
                              Region region, URI uri) {
        if (services.contains(Service.DYNAMODB)) {
            try (DynamoDbClient dynamoDb = DynamoDbClient.builder().region(region).credentialsProvider(credentials)
                    .endpointOverride(uri).httpClient(http).build()) {
                dynamoDbCalls(dynamoDb);
                if (services.contains(Service.CONNECTIONS)) {
                    // As a broadcast posts: on virtual threads, a gone connection deleted from the table.
                    Broadcaster broadcaster = new Broadcaster(new SignedConnectionPoster(http, credentials, region,
                            uri.resolve("/priming")), new ConnectionRepository(dynamoDb, "priming", Clock.systemUTC(), 1), 2);
                    broadcaster.toAll("{\"type\":\"priming\"}");
                    broadcaster.toEach(List.of("priming", PrimingEndpoint.GONE_CONNECTION), "{\"type\":\"priming\"}");
                }
            }
        }
        if (services.contains(Service.IOT_DATA)) {
            try (IotDataPlaneClient iotData = IotDataPlaneClient.builder().region(region).credentialsProvider(credentials)
                    .endpointOverride(uri).httpClient(http).build()) {
                DevicePublisher publisher = new DevicePublisher(iotData, "priming/outbound",
                        "priming/" + Topology.Topics.THING_PLACEHOLDER + "/commands");
                publisher.publishToAll("{\"priming\":true}");
                publisher.publishTo("thing-1", "{\"priming\":true}");
            }
        }
        if (services.contains(Service.SQS)) {
            try (SqsClient sqs = SqsClient.builder().region(region).credentialsProvider(credentials)
                    .endpointOverride(uri).httpClient(http).build()) {
                ReadingsQueueClient queue = new ReadingsQueueClient(() -> sqs, () -> uri + "/123456789012/priming");
                queue.send("{\"priming\":true}", "message");
                queue.delete(queue.receiveNow(ReadingsQueueClient.MAX_PER_REQUEST));
            }
        }
        if (services.contains(Service.SECRETS_MANAGER)) {
            try (SecretsManagerClient secrets = SecretsManagerClient.builder().region(region).credentialsProvider(credentials)
                    .endpointOverride(uri).httpClient(http).build()) {
                // AWSCURRENT, then AWSPREVIOUS, which the endpoint does not have: both paths of a key read.
                new SecretsManagerKey(() -> secrets, "arn:aws:secretsmanager:us-east-1:000000000000:secret:priming",
                        Clock.systemUTC()).keys();
            }
        }
        if (services.contains(Service.LAMBDA)) {
            new LambdaContinuation(http, credentials, region, uri, "arn:aws:lambda:us-east-1:000000000000:function:priming")
                    .handOver("{\"priming\":true}", List.of("priming"), 1, null);
        }
    }

    /**
     * The JDK keeps idle connections in a cache of its own, which closing the SDK's HTTP client does
     * not empty: each request here takes one of those to the endpoint, if there is one, and its
     * answer closes it. More requests than connections were ever open at once (the posts' two).
     */
    private static void closeConnections(SdkHttpClient http, URI uri) {
        for (int i = 0; i < 4; i++) {
            try {
                HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                        .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(uri.resolve(PrimingEndpoint.CLOSE_PATH)).build())
                        .build()).call();
                if (response.responseBody().isPresent()) {
                    response.responseBody().get().close();
                }
            } catch (IOException e) {
                LOG.warn("priming could not close its connections to the loopback endpoint: {}", e.toString());
                return;
            }
        }
    }

    /** The calls of {@code ConnectionRepository}: writes, reads, a paginated scan and a refused condition. */
    private static void dynamoDbCalls(DynamoDbClient dynamoDb) {
        String table = "priming";
        Map<String, AttributeValue> key = Map.of("connectionId", AttributeValue.fromS("priming"));
        dynamoDb.putItem(PutItemRequest.builder().tableName(table).item(Map.of("connectionId", AttributeValue.fromS("priming"),
                "connectedAt", AttributeValue.fromN("1"))).build());
        dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table).key(key)
                .updateExpression("ADD #places :entry").conditionExpression("attribute_not_exists(#places)")
                .expressionAttributeNames(Map.of("#places", "places"))
                .expressionAttributeValues(Map.of(":entry", AttributeValue.fromSs(List.of("priming#1"))))
                .returnValues(ReturnValue.UPDATED_NEW).build()).attributes();
        dynamoDb.getItem(GetItemRequest.builder().tableName(table).key(key).consistentRead(true).build()).item();
        dynamoDb.deleteItem(DeleteItemRequest.builder().tableName(table).key(key).returnValues(ReturnValue.ALL_OLD).build())
                .attributes();
        dynamoDb.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).projectionExpression("#id")
                .expressionAttributeNames(Map.of("#id", "connectionId")).build()).items().forEach(item -> item.get("connectionId"));
        try {
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(PrimingEndpoint.REFUSING_TABLE).key(key)
                    .updateExpression("SET #clock = :next").conditionExpression("attribute_exists(#clock)")
                    .expressionAttributeNames(Map.of("#clock", "messageClock"))
                    .expressionAttributeValues(Map.of(":next", AttributeValue.fromN("1")))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build());
        } catch (ConditionalCheckFailedException expected) {
            // The path of a refused place, a subscription of a gone connection, a message clock moved on.
            expected.hasItem();
        }
    }

    public static void primeCommonPaths() {
        long started = System.nanoTime();
        SendMessageParser parser = new SendMessageParser();
        SubscribeParser subscriptions = new SubscribeParser();
        FunctionMetrics metrics = FunctionMetrics.quiet(Metrics.NAMESPACE, "priming", document -> { });
        byte[] throwawayKey = "priming-key-not-a-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < ROUNDS; i++) {
            var parsed = parser.parse("{\"action\":\"sendMessage\",\"message\":{\"n\":" + i + ",\"text\":\"hi\"},\"deviceId\":\"thing-1\"}");
            parser.parse("not json " + i);
            subscriptions.parse("{\"action\":\"subscribe\",\"devices\":[\"thing-1\",\"thing-" + i + "\"]}");
            Json.write(new Envelope.Subscribed(List.of("thing-1")));
            JsonNode message = parsed instanceof SendMessageParser.SendMessage m ? m.message() : null;
            Json.write(new Envelope.Message("priming-" + i, "priming", message, i));
            String reading = Json.write(new Envelope.Telemetry("priming-" + i, "thing-1", "devices/thing-1/telemetry", 1L,
                    Json.MAPPER.valueToTree(Map.of("seq", i, "temperature", 22.4))));
            Frames.pack(List.of(reading, reading));
            // A topic rule's output as the fan-out reads it: into a map, then a tree.
            Map<String, Object> ruleOutput = readRuleOutput("{\"topic\":\"devices/thing-1/telemetry\",\"receivedAt\":"
                    + (1_700_000_000_000L + i) + ",\"seq\":" + i + ",\"temperature\":22.5,\"ok\":true,\"tags\":[\"a\"],"
                    + "\"nested\":{\"humidity\":0.41}}");
            ((com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.valueToTree(ruleOutput)).deepCopy().remove("topic");
            Json.write(Envelope.Error.badRequest("priming"));
            String token = Tokens.mint(throwawayKey, "priming", Tokens.Grant.ALL, Duration.ofMinutes(1), Clock.systemUTC());
            Tokens.verify(throwawayKey, token, Clock.systemUTC());
            PutItemRequest.builder().tableName("priming").item(Map.of("connectionId", AttributeValue.fromS("p"))).build();
            ScanRequest.builder().tableName("priming").projectionExpression("#id").build();
            PostToConnectionRequest.builder().connectionId("p").data(SdkBytes.fromUtf8String("{}")).build();
            PublishRequest.builder().topic("priming").qos(1).payload(SdkBytes.fromUtf8String("{}")).build();
            SendMessageRequest.builder().queueUrl("priming").messageBody("{}").messageAttributes(Map.of("kind",
                    MessageAttributeValue.builder().dataType("String").stringValue("message").build())).build();
            ReceiveMessageRequest.builder().queueUrl("priming").maxNumberOfMessages(10).waitTimeSeconds(0).build();
            metrics.start().count(Metrics.READINGS_IN, i).count(Metrics.FRAMES_DELIVERED, 1)
                    .maximum(Metrics.FAN_OUT_LAG, i, MetricUnit.MILLISECONDS).flush();
        }
        LOG.debug("primed the common paths in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private static Map<String, Object> readRuleOutput(String body) {
        try {
            return Json.MAPPER.readValue(body, RULE_OUTPUT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("priming's rule output is not JSON", e);
        }
    }
}
