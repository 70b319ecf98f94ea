package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.wiring.CloudServices;
import dev.edgewire.wiring.HandlerFactory;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import dev.edgewire.contract.Topology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** sendMessage end to end, wired as local mode wires it: real store, real HTTP for @connections and IoT. */
@ExtendWith(DynamoDbExtension.class)
class SendMessageIT {

    private static final String SENDER = "Cl4bbeTTjoECGfQ=";
    private static final String QUEUE_URL = "http://127.0.0.1/000000000000/edgewire-readings";

    private CloudStandIn server;
    private CloudServices services;
    private DynamoDbClient dynamoDb;
    private String table;

    @BeforeEach
    void start(Endpoint endpoint, DynamoDbClient dynamoDb) throws Exception {
        this.dynamoDb = dynamoDb;
        table = endpoint.createConnectionTable(dynamoDb);
        server = new CloudStandIn();
        services = CloudServices.builder()
                .dynamoDbClient(dynamoDb)
                .callbackUrl(server.callbackUrl())
                .iotDataEndpoint(server.iotDataEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .connectionsTable(table)
                .sqsEndpoint(server.iotDataEndpoint())
                .readingsQueueUrl(QUEUE_URL)
                .build();
    }

    @AfterEach
    void stop() {
        server.close();
        dynamoDb.deleteTable(b -> b.tableName(table));
    }

    @SuppressWarnings("unchecked")
    private RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> handler(Topology.Function function) {
        return (RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse>) HandlerFactory.create(function, services);
    }

    @Test
    void aMessage_isQueuedOnce_andTheFanOutDeliversItToEveryConnectedClient_andItReachesTheDevicesTopic() throws Exception {
        var connect = handler(Topology.Function.CONNECT);
        connect.handleRequest(Events.load("connect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());
        var other = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);
        other.getRequestContext().setConnectionId("other=");
        connect.handleRequest(other, new LambdaContext());

        var response = handler(Topology.Function.SEND_MESSAGE)
                .handleRequest(Events.load("send-message-to-device.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(server.posts()).isEmpty();
        CloudStandIn.Queued queued = server.queued().getFirst();
        assertThat(server.queued()).hasSize(1);
        assertThat(queued.queueUrl()).isEqualTo(QUEUE_URL);

        // The fan-out gets it from the queue as Lambda hands it over, with its kind attribute.
        Map<String, Object> batch = Events.messages(List.of(queued.body()));
        @SuppressWarnings("unchecked")
        Map<String, Object> record = ((List<Map<String, Object>>) batch.get("Records")).getFirst();
        record.put("messageAttributes", Map.of(Topology.ReadingsQueue.KIND_ATTRIBUTE,
                Map.of("stringValue", queued.attributes().get(Topology.ReadingsQueue.KIND_ATTRIBUTE), "dataType", "String")));
        @SuppressWarnings("unchecked")
        var fanOut = (RequestHandler<Map<String, Object>, Map<String, Object>>) HandlerFactory.create(Topology.Function.FAN_OUT, services);
        assertThat(fanOut.handleRequest(batch, new LambdaContext())).isEqualTo(Map.of("batchItemFailures", List.of()));

        assertThat(server.postsById()).containsOnlyKeys(SENDER, "other=");
        var envelope = Json.MAPPER.readTree(server.posts().get(0).body());
        assertThat(envelope.get("type").asText()).isEqualTo("message");
        assertThat(envelope.get("from").asText()).isEqualTo(SENDER);
        assertThat(server.publishes()).singleElement().satisfies(p -> {
            assertThat(p.topic()).isEqualTo("devices/thing-1/commands");
            assertThat(p.query()).isEqualTo("qos=1");
            assertThat(Json.MAPPER.readTree(p.body())).isEqualTo(envelope);
        });
    }

    @Test
    void aBadBody_reachesOnlyTheSender_asAnError_andNoDevice() throws Exception {
        handler(Topology.Function.CONNECT).handleRequest(Events.load("connect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());
        var other = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);
        other.getRequestContext().setConnectionId("other=");
        handler(Topology.Function.CONNECT).handleRequest(other, new LambdaContext());
        var event = Events.load("send-message.json", APIGatewayV2WebSocketEvent.class);
        event.setBody("{\"action\":\"sendMessage\",\"message\":\"hi\",\"deviceId\":\"devices/+\"}");

        handler(Topology.Function.SEND_MESSAGE).handleRequest(event, new LambdaContext());

        assertThat(server.posts()).singleElement().satisfies(p -> {
            assertThat(p.connectionId()).isEqualTo(SENDER);
            assertThat(Json.MAPPER.readTree(p.body()).get("error").asText()).isEqualTo("BadRequest");
        });
        assertThat(server.publishes()).isEmpty();
        assertThat(server.queued()).isEmpty();
    }
}
