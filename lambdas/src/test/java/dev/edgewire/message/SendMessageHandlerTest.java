package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.runtime.Json;
import dev.edgewire.testing.Dynamo;
import dev.edgewire.contract.Metrics;
import dev.edgewire.testing.EmfDocuments;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.contract.Topology.ReadingsQueue;
import dev.edgewire.contract.Topology.Topics;
import dev.edgewire.queue.ReadingsQueueClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.iotdataplane.model.IotDataPlaneException;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

class SendMessageHandlerTest {

    private static final Instant NOW = Instant.parse("2026-11-29T21:01:00Z");
    private static final String SENDER = "Cl4bbeTTjoECGfQ=";
    private static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/edgewire-Readings";

    private final DynamoDbClient dynamoDb = Dynamo.withConnections(SENDER, "other-1", "other-2");
    private final ApiGatewayManagementApiClient api = mock(ApiGatewayManagementApiClient.class);
    private final IotDataPlaneClient iot = mock(IotDataPlaneClient.class);
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final SqsClient sqs = mock(SqsClient.class);
    private final EmfDocuments emf = new EmfDocuments();
    private final SendMessageHandler handler = new SendMessageHandler(
            new SendMessageParser(),
            new Broadcaster(api, new ConnectionRepository(dynamoDb, "connections", clock, 1), 16),
            new DevicePublisher(iot, Topics.GENERAL_OUTBOUND, Topics.COMMANDS_TEMPLATE),
            new ReadingsQueueClient(() -> sqs, () -> QUEUE_URL),
            new MessageRateLimit(new ConnectionRepository(dynamoDb, "connections", clock, 1), clock),
            clock, emf.metrics());

    @BeforeEach
    void queueAcceptsMessages_andTheSenderIsWithinItsRate() {
        when(sqs.sendMessage(any(SendMessageRequest.class))).thenReturn(SendMessageResponse.builder().messageId("m-1").build());
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenReturn(UpdateItemResponse.builder()
                .attributes(Map.of(ConnectionTable.MESSAGE_CLOCK, AttributeValue.fromN(Long.toString(NOW.toEpochMilli() + 100))))
                .build());
    }

    /** The event file's message, sent with a token whose grant is {@code devices} ({@code Tokens.Grant#text()}). */
    private static APIGatewayV2WebSocketEvent withGrant(String eventFile, String devices) {
        var event = Events.load(eventFile, APIGatewayV2WebSocketEvent.class);
        var authorizer = new java.util.HashMap<>(event.getRequestContext().getAuthorizer());
        if (devices == null) {
            authorizer.remove("devices");
        } else {
            authorizer.put("devices", devices);
        }
        event.getRequestContext().setAuthorizer(authorizer);
        return event;
    }

    private String onlyPostTo(String connectionId) {
        ArgumentCaptor<PostToConnectionRequest> post = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api).postToConnection(post.capture());
        assertThat(post.getValue().connectionId()).isEqualTo(connectionId);
        return post.getValue().data().asUtf8String();
    }

    @Test
    void commandToADeviceOutsideTheGrant_getsForbiddenToTheSenderOnly_andNothingIsQueuedOrPublished() throws Exception {
        var response = handler.handleRequest(withGrant("send-message-to-device.json", "thing-2,thing-3"), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(403);
        JsonNode error = Json.MAPPER.readTree(onlyPostTo(SENDER));
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").asText()).isEqualTo("Forbidden");
        assertThat(error.get("detail").asText()).contains("\"thing-1\"").contains("allows thing-2, thing-3");
        verifyNoInteractions(sqs, iot);
        // Refused before the rate: a forbidden message takes no place in it.
        verify(dynamoDb, never()).updateItem(any(UpdateItemRequest.class));
    }

    @Test
    void commandToADeviceTheGrantNames_isQueuedAndPublished() {
        var response = handler.handleRequest(withGrant("send-message-to-device.json", "thing-1"), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        queued();
        ArgumentCaptor<PublishRequest> publish = ArgumentCaptor.forClass(PublishRequest.class);
        verify(iot).publish(publish.capture());
        assertThat(publish.getValue().topic()).isEqualTo("devices/thing-1/commands");
    }

    @Test
    void messageToEveryDevice_needsAGrantOfEveryDevice() throws Exception {
        var response = handler.handleRequest(withGrant("send-message.json", "thing-1"), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(403);
        JsonNode error = Json.MAPPER.readTree(onlyPostTo(SENDER));
        assertThat(error.get("error").asText()).isEqualTo("Forbidden");
        assertThat(error.get("detail").asText()).contains("general/outbound").contains("allows thing-1");
        verifyNoInteractions(sqs, iot);
    }

    @ParameterizedTest(name = "grant {0}")
    @org.junit.jupiter.params.provider.NullSource
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "not a list*"})
    void aConnectionWithoutDevices_watchesButCommandsNothing(String devices) throws Exception {
        var toDevice = handler.handleRequest(withGrant("send-message-to-device.json", devices), new LambdaContext());
        var toAll = handler.handleRequest(withGrant("send-message.json", devices), new LambdaContext());

        assertThat(toDevice.getStatusCode()).isEqualTo(403);
        assertThat(toAll.getStatusCode()).isEqualTo(403);
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(p -> Json.MAPPER.readTree(p.data().asUtf8String()).get("detail").asText())
                .allSatisfy(detail -> assertThat(detail).contains("allows no device (it may watch, not command)"));
        verifyNoInteractions(sqs, iot);
    }

    @Test
    void grantOfEveryDevice_sendsToEveryDeviceAndToOne() {
        assertThat(handler.handleRequest(withGrant("send-message.json", "*"), new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler.handleRequest(withGrant("send-message-to-device.json", "*"), new LambdaContext()).getStatusCode())
                .isEqualTo(200);
        verify(iot, times(2)).publish(any(PublishRequest.class));
    }

    /** The one send sendMessage makes for the WebSocket clients, whatever their number. */
    private SendMessageRequest queued() {
        ArgumentCaptor<SendMessageRequest> sent = ArgumentCaptor.forClass(SendMessageRequest.class);
        verify(sqs).sendMessage(sent.capture());
        return sent.getValue();
    }


    @Test
    void sendMessage_queuesTheEnvelopeOnceForTheFanOut_andPublishesItToGeneralOutbound_withoutPostingToAnyone() throws Exception {
        var response = handler.handleRequest(Events.load("send-message.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(emf.documents()).singleElement().satisfies(document -> {
            assertThat(document.get(Metrics.MESSAGES_IN).asInt()).isEqualTo(1);
            assertThat(document.get(Metrics.MESSAGES_REFUSED).asInt()).isZero();
        });
        // The id is the request id of the frame (send-message.json), the same on every delivery of the message.
        String expected = "{\"type\":\"message\",\"id\":\"Cl4cmGxHDoEFo_w=\",\"from\":\"" + SENDER + "\",\"message\":\"hello from terminal2\",\"sentAt\":"
                + NOW.toEpochMilli() + "}";
        SendMessageRequest queued = queued();
        assertThat(queued.queueUrl()).isEqualTo(QUEUE_URL);
        assertThat(queued.messageBody()).isEqualTo(expected);
        assertThat(queued.messageAttributes().get(ReadingsQueue.KIND_ATTRIBUTE).stringValue()).isEqualTo(ReadingsQueue.KIND_MESSAGE);
        // Whatever the audience: no Scan, no post.
        verifyNoInteractions(api);
        verify(dynamoDb, never()).scan(any(ScanRequest.class));

        ArgumentCaptor<PublishRequest> publish = ArgumentCaptor.forClass(PublishRequest.class);
        verify(iot).publish(publish.capture());
        assertThat(publish.getValue().topic()).isEqualTo("general/outbound");
        assertThat(publish.getValue().qos()).isEqualTo(1);
        assertThat(publish.getValue().payload().asUtf8String()).isEqualTo(expected);
    }

    @Test
    void sendMessage_withDeviceId_publishesToThatDevicesCommandsTopic_andKeepsAJsonMessageAsJson() throws Exception {
        handler.handleRequest(Events.load("send-message-to-device.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        ArgumentCaptor<PublishRequest> publish = ArgumentCaptor.forClass(PublishRequest.class);
        verify(iot).publish(publish.capture());
        assertThat(publish.getValue().topic()).isEqualTo("devices/thing-1/commands");
        assertThat(publish.getValue().qos()).isEqualTo(1);
        JsonNode payload = Json.MAPPER.readTree(publish.getValue().payload().asUtf8String());
        assertThat(payload.get("type").asText()).isEqualTo("message");
        assertThat(payload.get("message")).isEqualTo(Json.MAPPER.readTree("{\"command\":\"blink\",\"times\":3}"));
        assertThat(Json.MAPPER.readTree(queued().messageBody())).isEqualTo(payload);
    }

    @Test
    void sendMessage_acceptsABase64EncodedBinaryFrame() {
        var event = Events.load("send-message.json", APIGatewayV2WebSocketEvent.class);
        event.setBody(Base64.getEncoder().encodeToString(event.getBody().getBytes(StandardCharsets.UTF_8)));
        event.setIsBase64Encoded(true);

        assertThat(handler.handleRequest(event, new LambdaContext()).getStatusCode()).isEqualTo(200);
        verify(iot).publish(any(PublishRequest.class));
    }

    static Stream<Arguments> invalidBodies() {
        return Stream.of(
                Arguments.of("not JSON", "hello there", "not valid JSON"),
                Arguments.of("empty", "", "empty"),
                Arguments.of("an array", "[\"sendMessage\"]", "must be a JSON object"),
                Arguments.of("no message", "{\"action\":\"sendMessage\"}", "\"message\" is missing"),
                Arguments.of("a null message", "{\"action\":\"sendMessage\",\"message\":null}", "\"message\" is missing"),
                Arguments.of("a numeric deviceId", "{\"action\":\"sendMessage\",\"message\":\"hi\",\"deviceId\":7}", "\"deviceId\" must be a string"),
                Arguments.of("a deviceId with a slash", "{\"action\":\"sendMessage\",\"message\":\"hi\",\"deviceId\":\"thing/1\"}", "must be a thing name"),
                Arguments.of("a wildcard deviceId", "{\"action\":\"sendMessage\",\"message\":\"hi\",\"deviceId\":\"#\"}", "must be a thing name"),
                Arguments.of("an empty deviceId", "{\"action\":\"sendMessage\",\"message\":\"hi\",\"deviceId\":\"\"}", "must be a thing name"),
                Arguments.of("a deviceId over 128 characters", "{\"action\":\"sendMessage\",\"message\":\"hi\",\"deviceId\":\"" + "a".repeat(129) + "\"}", "must be a thing name"),
                Arguments.of("trailing text after the object", "{\"action\":\"sendMessage\",\"message\":\"hi\"} and more", "not valid JSON"),
                Arguments.of("over the 128 KB limit", "{\"action\":\"sendMessage\",\"message\":\"" + "x".repeat(128 * 1024) + "\"}", "the limit is 131072 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBodies")
    void invalidBody_getsAnErrorEnvelopeToTheSenderOnly_andNothingIsBroadcastOrPublished(String what, String body, String detail)
            throws Exception {
        var event = Events.load("send-message.json", APIGatewayV2WebSocketEvent.class);
        event.setBody(body);

        var response = handler.handleRequest(event, new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(400);
        ArgumentCaptor<PostToConnectionRequest> post = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(1)).postToConnection(post.capture());
        assertThat(post.getValue().connectionId()).isEqualTo(SENDER);
        JsonNode error = Json.MAPPER.readTree(post.getValue().data().asUtf8String());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").asText()).isEqualTo("BadRequest");
        assertThat(error.get("detail").asText()).contains(detail);
        assertThat(error.get("requestId").asText()).as("the frame it answers").isEqualTo(event.getRequestContext().getRequestId());
        assertThat(error.size()).isEqualTo(4);
        verifyNoInteractions(sqs, iot);
    }

    @Test
    void publishFailure_isReportedToTheSender_afterTheMessageWasQueued() throws Exception {
        when(iot.publish(any(PublishRequest.class)))
                .thenThrow(IotDataPlaneException.builder().statusCode(503).message("unavailable").build());

        var response = handler.handleRequest(Events.load("send-message.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(502);
        queued();
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(1)).postToConnection(posts.capture());
        assertThat(posts.getValue().connectionId()).isEqualTo(SENDER);
        assertThat(Json.MAPPER.readTree(posts.getValue().data().asUtf8String()).get("error").asText()).isEqualTo("PublishFailed");
    }

    @Test
    void queueFailure_isReportedToTheSender_andNothingIsPublished() throws Exception {
        when(sqs.sendMessage(any(SendMessageRequest.class)))
                .thenThrow(SqsException.builder().statusCode(500).message("internal error").build());

        var response = handler.handleRequest(Events.load("send-message.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(502);
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(1)).postToConnection(posts.capture());
        assertThat(posts.getValue().connectionId()).isEqualTo(SENDER);
        assertThat(Json.MAPPER.readTree(posts.getValue().data().asUtf8String()).get("error").asText()).isEqualTo("NotDelivered");
        verifyNoInteractions(iot);
    }

    @Test
    void sendMessage_whoseEnvelopeWouldPassTheFrameLimit_getsOneErrorToTheSender_andNothingIsSent() throws Exception {
        APIGatewayV2WebSocketEvent event = Events.load("send-message.json", APIGatewayV2WebSocketEvent.class);
        String prefix = "{\"action\":\"sendMessage\",\"message\":\"";
        String body = prefix + "a".repeat(SendMessageParser.MAX_BODY_BYTES - prefix.length() - 2) + "\"}";
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(SendMessageParser.MAX_BODY_BYTES);
        event.setBody(body);

        var response = handler.handleRequest(event, new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(413);
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(1)).postToConnection(posts.capture());
        assertThat(posts.getValue().connectionId()).isEqualTo(SENDER);
        JsonNode error = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").asText()).isEqualTo("BadRequest");
        assertThat(error.get("detail").asText()).contains("once wrapped").contains("131072");
        verifyNoInteractions(sqs, iot);
    }

    @Test
    void aSenderOverItsMessageRate_getsAnErrorWithARetryHint_andNothingIsQueuedOrPublished() throws Exception {
        // The row's clock is 5 s ahead: far past the burst's 1.9 s, so neither change of the clock applies.
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenThrow(ConditionalCheckFailedException.builder()
                .item(Map.of(ConnectionTable.MESSAGE_CLOCK, AttributeValue.fromN(Long.toString(NOW.toEpochMilli() + 5_000))))
                .message("The conditional request failed").build());

        var response = handler.handleRequest(Events.load("send-message.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(429);
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(1)).postToConnection(posts.capture());
        assertThat(posts.getValue().connectionId()).isEqualTo(SENDER);
        JsonNode error = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(error.get("error").asText()).isEqualTo("TooManyMessages");
        assertThat(error.get("retryAfterMs").asLong()).isEqualTo(5_000 - 1_900);
        assertThat(error.get("detail").asText()).contains("Retry in 3100 ms");
        verifyNoInteractions(sqs, iot);
        assertThat(emf.sum(Metrics.MESSAGES_REFUSED)).isEqualTo(1);
        assertThat(emf.sum(Metrics.MESSAGES_IN)).isZero();
    }
}
