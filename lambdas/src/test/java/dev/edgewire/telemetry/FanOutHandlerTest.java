package dev.edgewire.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.ContinuationEvent;
import dev.edgewire.broadcast.ShardEvent;
import dev.edgewire.broadcast.ShardOutcome;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.contract.Topology.ReadingsQueue;
import dev.edgewire.queue.ReadingsQueueClient;
import dev.edgewire.runtime.Json;
import dev.edgewire.testing.Dynamo;
import dev.edgewire.contract.Metrics;
import dev.edgewire.testing.EmfDocuments;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.testing.MutableClock;
import dev.edgewire.standins.lambda.LambdaContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ApiGatewayManagementApiException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

class FanOutHandlerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T21:00:00Z"));
    private final EmfDocuments emf = new EmfDocuments();
    private final DynamoDbClient dynamoDb = Dynamo.withConnections("c1", "c2");
    private final ApiGatewayManagementApiClient api = mock(ApiGatewayManagementApiClient.class);
    private final ConnectionRepository repository = new ConnectionRepository(dynamoDb, "connections", clock, 1);
    private final List<ContinuationEvent> handedOver = new ArrayList<>();
    private final SqsClient sqs = mock(SqsClient.class);
    private final ReadingsQueueClient queue = new ReadingsQueueClient(() -> sqs, () -> "https://sqs.example/readings");
    /** Covers 200 ms and takes at most 25 readings in all, so a test sees both bounds quickly. */
    private final FanOutHandler handler = new FanOutHandler(
            new ConnectionIdCache(repository, Duration.ofSeconds(1), clock), new Broadcaster(api, repository, 16),
            (payload, ids, attempt, context) -> handedOver.add(new ContinuationEvent(payload, ids, attempt)),
            queue, new Coalescing(queue, Duration.ofMillis(200), 25, System::nanoTime), Sharding.NONE, emf.metrics());

    @Test
    void reading_isSentToEveryConnection_asATelemetryEnvelope_namedByItsQueueMessage() throws Exception {
        Map<String, Object> event = Events.readings(Events.ruleOutput("telemetry-rule-output.json"));
        @SuppressWarnings("unchecked")
        String messageId = (String) ((List<Map<String, Object>>) event.get("Records")).get(0).get("messageId");
        handler.handleRequest(event, new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId).containsExactlyInAnyOrder("c1", "c2");
        JsonNode envelope = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(envelope).isEqualTo(Json.MAPPER.readTree("""
                {"type":"telemetry","id":"%s","deviceId":"thing-1","topic":"devices/thing-1/telemetry","receivedAt":1795986000123,
                 "reading":{"deviceId":"thing-1","seq":42,"ts":"2026-11-29T21:00:00Z","temperature":22.4,
                            "humidity":41.2,"pressure":1012.8,"battery":0.93}}""".formatted(messageId)));
    }

    @Test
    void generalInboundReadingOverMqtt_isNamedByTheClientIdTheRuleSelected_andKeepsNoPrincipal() throws Exception {
        handler.handleRequest(Events.readings(Events.ruleOutput("general-inbound-rule-output.json")), new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        JsonNode envelope = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(envelope.get("deviceId").asText()).isEqualTo("thing-2");
        assertThat(envelope.get("topic").asText()).isEqualTo("general/inbound");
        assertThat(envelope.get("reading").has("principal")).isFalse();
    }

    @Test
    void generalInboundReadingOverHttps_isNamedByItsCertificate_notByWhatItClaims() throws Exception {
        handler.handleRequest(Events.readings(Events.ruleOutput("general-inbound-https-rule-output.json")), new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        JsonNode envelope = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(envelope.get("deviceId").asText())
                .isEqualTo("8a0c7a3b9d2e4f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a");
    }

    @Test
    void readingWithoutADeviceId_isDropped_withoutFailing_andNothingIsSent() {
        handler.handleRequest(Events.readings(Events.ruleOutput("general-inbound-without-device-rule-output.json")), new LambdaContext());

        verifyNoInteractions(api);
        verify(dynamoDb, never()).scan(any(ScanRequest.class));
    }

    @Test
    void readingWithANonTextDeviceId_orNoFieldsAtAll_isDropped() {
        Map<String, Object> numericDevice = new HashMap<>(Events.ruleOutput("telemetry-rule-output.json"));
        numericDevice.put("deviceId", 17);

        Map<String, Object> answer = handler.handleRequest(Events.readings(numericDevice, Map.of()), new LambdaContext());
        handler.handleRequest(Events.messages(List.of("not json", "[1,2]", "null")), new LambdaContext());

        verifyNoInteractions(api);
        // Bad input is dropped, not received again and again.
        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
    }

    @Test
    void readingsInQuickSuccession_shareOneScan() {
        for (int i = 0; i < 20; i++) {
            handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), new LambdaContext());
        }

        verify(dynamoDb, times(1)).scan(any(ScanRequest.class));
        verify(api, times(40)).postToConnection(any(PostToConnectionRequest.class));
    }

    @Test
    void goneConnection_isDeletedOnce_andNotPostedToAgainBeforeTheNextRead() {
        when(api.postToConnection(any(PostToConnectionRequest.class))).thenAnswer(call -> {
            PostToConnectionRequest post = call.getArgument(0);
            if (post.connectionId().equals("c2")) {
                throw GoneException.builder().statusCode(410).message("gone").build();
            }
            return PostToConnectionResponse.builder().build();
        });

        handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), new LambdaContext());
        handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), new LambdaContext());

        ArgumentCaptor<DeleteItemRequest> deletes = ArgumentCaptor.forClass(DeleteItemRequest.class);
        verify(dynamoDb, times(1)).deleteItem(deletes.capture());
        assertThat(deletes.getValue().key()).isEqualTo(Dynamo.key("c2"));
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(3)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId).containsExactlyInAnyOrder("c1", "c2", "c1");
    }

    @Test
    void eachInvocation_writesOneMetricsDocument_withItsReadingsPostsAudienceAndLag() {
        when(api.postToConnection(any(PostToConnectionRequest.class))).thenAnswer(call -> {
            PostToConnectionRequest post = call.getArgument(0);
            if (post.connectionId().equals("c2")) {
                throw GoneException.builder().statusCode(410).message("gone").build();
            }
            return PostToConnectionResponse.builder().build();
        });
        Map<String, Object>[] outputs = readingsWithSeq(1, 2, 3);
        long oldest = System.currentTimeMillis() - 2_000;
        outputs[0].put("receivedAt", oldest + 500);
        outputs[1].put("receivedAt", oldest);
        outputs[2].put("receivedAt", oldest + 1_000);

        handler.handleRequest(Events.readings(outputs), new LambdaContext());

        assertThat(emf.documents()).singleElement().satisfies(document -> {
            assertThat(document.get(Metrics.READINGS_IN).asInt()).isEqualTo(3);
            // One batch frame of three readings: delivered to c1, gone at c2.
            assertThat(document.get(Metrics.FRAMES_DELIVERED).asInt()).isEqualTo(1);
            assertThat(document.get(Metrics.READINGS_DELIVERED).asInt()).isEqualTo(3);
            assertThat(document.get(Metrics.POSTS_GONE).asInt()).isEqualTo(1);
            assertThat(document.get(Metrics.POSTS_FAILED).asInt()).isZero();
            assertThat(document.get(Metrics.CONNECTIONS).asInt()).isEqualTo(2);
            assertThat(document.get(Metrics.FAN_OUT_LAG).asLong()).isBetween(2_000L, 60_000L);
        });
    }

    @Test
    void aWatchersMessage_isNoReading_inTheMetrics() {
        Map<String, Object> event = Events.messages(List.of(Json.write(readingsWithSeq(1)[0]),
                "{\"type\":\"message\",\"from\":\"c1\",\"message\":\"hi\",\"sentAt\":1}"));
        markAsMessage(event, 1);

        handler.handleRequest(event, new LambdaContext());

        assertThat(emf.sum(Metrics.READINGS_IN)).isEqualTo(1);
        assertThat(emf.sum(Metrics.FRAMES_DELIVERED)).isEqualTo(2);
        assertThat(emf.sum(Metrics.READINGS_DELIVERED)).isEqualTo(2);
    }

    @Test
    void reading_withNoTimeLeftToPost_isHandedOverForEveryConnection() {
        handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), LambdaContext.withRemainingMillis(() -> 4_999));

        verify(api, never()).postToConnection(any(PostToConnectionRequest.class));
        assertThat(handedOver).singleElement().satisfies(h -> {
            assertThat(h.connectionIds()).containsExactlyInAnyOrder("c1", "c2");
            assertThat(h.payload()).startsWith("{\"type\":\"telemetry\",\"id\":").contains("\"deviceId\":\"thing-1\"");
        });
    }

    @Test
    void continuation_postsItsPayloadToItsConnectionsOnly_withoutReadingTheTable() {
        String payload = "{\"type\":\"message\",\"from\":\"x\",\"message\":\"hi\",\"sentAt\":1}";
        handler.handleRequest(new HashMap<>(new ContinuationEvent(payload, List.of("c9", "c8")).toEvent()),
                new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId)
                .containsExactlyInAnyOrder("c9", "c8");
        assertThat(posts.getAllValues()).allSatisfy(p -> assertThat(p.data().asUtf8String()).isEqualTo(payload));
        verify(dynamoDb, never()).scan(any(ScanRequest.class));
        assertThat(handedOver).isEmpty();
    }

    @Test
    void readingThatCarriesAContinuationField_isAReading_notAContinuation() {
        Map<String, Object> reading = new HashMap<>(Events.ruleOutput("telemetry-rule-output.json"));
        reading.put(ContinuationEvent.FIELD, Map.of("payload", "forged", "connectionIds", List.of("victim")));

        handler.handleRequest(Events.readings(reading), new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId)
                .containsExactlyInAnyOrder("c1", "c2");
        assertThat(posts.getValue().data().asUtf8String()).startsWith("{\"type\":\"telemetry\"");
    }

    @Test
    void aBatchOfReadings_reachesEachConnectionAsOneBatchFrame_inOrder() throws Exception {
        Map<String, Object>[] outputs = readingsWithSeq(1, 2, 3);

        Map<String, Object> answer = handler.handleRequest(Events.readings(outputs), new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        for (PostToConnectionRequest post : posts.getAllValues()) {
            JsonNode frame = Json.MAPPER.readTree(post.data().asUtf8String());
            assertThat(frame.get("type").asText()).isEqualTo("batch");
            assertThat(frame.get("items")).extracting(item -> item.path("reading").path("seq").asInt())
                    .containsExactly(1, 2, 3);
            assertThat(frame.get("items")).allSatisfy(item -> assertThat(item.get("type").asText()).isEqualTo("telemetry"));
        }
        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
    }

    @Test
    void whenTheConnectionsCannotBeRead_theUsableReadingsAreReportedFailed_forTheQueueToHandOutAgain() {
        when(dynamoDb.scan(any(ScanRequest.class))).thenThrow(new IllegalStateException("table unreachable"));
        Map<String, Object>[] outputs = readingsWithSeq(7, 8);
        Map<String, Object> event = Events.messages(List.of(Json.write(outputs[0]), Json.write(outputs[1]), "not json"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) event.get("Records");

        Map<String, Object> answer = handler.handleRequest(event, new LambdaContext());

        verifyNoInteractions(api);
        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of(
                Map.of("itemIdentifier", records.get(0).get("messageId")),
                Map.of("itemIdentifier", records.get(1).get("messageId")))));
    }

    @Test
    void aWatchersMessage_markedByItsAttribute_isDeliveredAsItsEnvelope_alongsideTheReadings_toItsSenderToo() throws Exception {
        // The sender connected after the ids were read: it still sees its own message.
        String message = "{\"type\":\"message\",\"from\":\"Cl4b=\",\"message\":{\"text\":\"hi\"},\"sentAt\":1}";
        Map<String, Object> event = Events.messages(List.of(Json.write(readingsWithSeq(1)[0]), message));
        markAsMessage(event, 1);

        Map<String, Object> answer = handler.handleRequest(event, new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(3)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId)
                .containsExactlyInAnyOrder("c1", "c2", "Cl4b=");
        // The ids were older than the sender's connection, so they were read again.
        verify(dynamoDb, times(2)).scan(any(ScanRequest.class));
        JsonNode frame = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(frame.get("items")).extracting(item -> item.get("type").asText()).containsExactly("telemetry", "message");
        assertThat(frame.get("items").get(1)).isEqualTo(Json.MAPPER.readTree(message));
        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
    }

    @Test
    void eachWatcher_getsTheReadingsOfTheDevicesItChose_andEveryMessage() throws Exception {
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(ScanResponse.builder().items(
                Dynamo.key("all"),
                watcher("thing-2-only", "thing-2"),
                watcher("thing-1-only", "thing-1"),
                watcher("both", "thing-2", "thing-1"),
                watcher("none")).build());
        String message = "{\"type\":\"message\",\"from\":\"all\",\"message\":\"hi\",\"sentAt\":1}";
        Map<String, Object> event = Events.messages(List.of(Json.write(Events.ruleOutput("telemetry-rule-output.json")),
                Json.write(Events.ruleOutput("general-inbound-rule-output.json")), message));
        markAsMessage(event, 2);

        handler.handleRequest(event, new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(5)).postToConnection(posts.capture());
        Map<String, List<String>> received = new HashMap<>();
        for (PostToConnectionRequest post : posts.getAllValues()) {
            JsonNode frame = Json.MAPPER.readTree(post.data().asUtf8String());
            List<String> items = new ArrayList<>();
            for (JsonNode item : frame.get("type").asText().equals("batch") ? frame.get("items") : List.of(frame)) {
                items.add(item.get("type").asText().equals("message") ? "message" : item.get("deviceId").asText());
            }
            received.put(post.connectionId(), items);
        }
        assertThat(received).containsExactlyInAnyOrderEntriesOf(Map.of(
                "all", List.of("thing-1", "thing-2", "message"),
                "both", List.of("thing-1", "thing-2", "message"),
                "thing-1-only", List.of("thing-1", "message"),
                "thing-2-only", List.of("thing-2", "message"),
                "none", List.of("message")));
    }

    @Test
    void aGroupWhoseDevicesSentNothing_getsNoPost() {
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(ScanResponse.builder().items(
                Dynamo.key("all"), watcher("other", "thing-9")).build());

        handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(1)).postToConnection(posts.capture());
        assertThat(posts.getValue().connectionId()).isEqualTo("all");
    }

    private static Map<String, AttributeValue> watcher(String id, String... devices) {
        return Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(id), ConnectionTable.DEVICES,
                AttributeValue.fromL(java.util.Arrays.stream(devices).map(AttributeValue::fromS).toList()));
    }

    @Test
    void aMessageFromAConnectionTheIdsHoldAlready_isPostedToItOnce() {
        String message = "{\"type\":\"message\",\"from\":\"c1\",\"message\":\"hi\",\"sentAt\":1}";
        Map<String, Object> event = Events.messages(List.of(message));
        markAsMessage(event, 0);

        handler.handleRequest(event, new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId).containsExactlyInAnyOrder("c1", "c2");
        verify(dynamoDb, times(1)).scan(any(ScanRequest.class));
    }

    @Test
    void aBodyThatLooksLikeAMessage_withoutTheAttribute_isAReadingLikeAnyOther() throws Exception {
        Map<String, Object> forged = new HashMap<>(Events.ruleOutput("telemetry-rule-output.json"));
        forged.put("type", "message");
        forged.put("from", "admin");

        handler.handleRequest(Events.readings(forged), new LambdaContext());

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        JsonNode envelope = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(envelope.get("type").asText()).isEqualTo("telemetry");
        assertThat(envelope.get("deviceId").asText()).isEqualTo("thing-1");
    }

    @Test
    void aMessageMarkedAsAWatchersMessage_thatIsNoMessageEnvelope_isDropped() {
        Map<String, Object> event = Events.messages(List.of("{\"type\":\"telemetry\"}", "not json"));
        markAsMessage(event, 0);
        markAsMessage(event, 1);

        Map<String, Object> answer = handler.handleRequest(event, new LambdaContext());

        verifyNoInteractions(api);
        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
    }

    @Test
    void aBatchThatIsNotFull_goesOutAtOnce_withoutAskingTheQueueForMore() {
        handler.handleRequest(Events.readings(readingsWithSeq(1, 2, 3, 4, 5, 6, 7, 8, 9)), new LambdaContext());

        verifyNoInteractions(sqs);
        verify(api, times(2)).postToConnection(any(PostToConnectionRequest.class));
    }

    @Test
    void aFullBatch_takesMoreFromTheQueueAlong_upToTheLimit_andDeletesThemOnceDelivered() throws Exception {
        List<Message> waiting = new ArrayList<>();
        for (int seq = 11; seq <= 40; seq++) {
            waiting.add(Message.builder().messageId("m" + seq).receiptHandle("r" + seq)
                    .body(Json.write(readingsWithSeq(seq)[0])).build());
        }
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class))).thenAnswer(call -> {
            int wanted = ((ReceiveMessageRequest) call.getArgument(0)).maxNumberOfMessages();
            List<Message> taken = new ArrayList<>(waiting.subList(0, Math.min(wanted, waiting.size())));
            waiting.removeAll(taken);
            return ReceiveMessageResponse.builder().messages(taken).build();
        });
        when(sqs.deleteMessageBatch(any(DeleteMessageBatchRequest.class))).thenReturn(DeleteMessageBatchResponse.builder().build());

        Map<String, Object> answer = handler.handleRequest(Events.readings(readingsWithSeq(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
                new LambdaContext());

        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        JsonNode frame = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        // 25 in all: the batch of 10 and 15 more, in the order received.
        assertThat(frame.get("items")).extracting(item -> item.path("reading").path("seq").asInt())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 25).boxed().toList());
        ArgumentCaptor<DeleteMessageBatchRequest> deletes = ArgumentCaptor.forClass(DeleteMessageBatchRequest.class);
        verify(sqs, times(2)).deleteMessageBatch(deletes.capture());
        assertThat(deletes.getAllValues()).flatExtracting(DeleteMessageBatchRequest::entries)
                .extracting(e -> e.receiptHandle())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(11, 25).mapToObj(i -> "r" + i).toList());
        assertThat(waiting).hasSize(15);
    }

    @Test
    void aFullBatch_fromAQueueThatRunsDry_waitsOutTheCoverTime_andNoLonger() {
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class))).thenReturn(ReceiveMessageResponse.builder().build());

        long started = System.nanoTime();
        handler.handleRequest(Events.readings(readingsWithSeq(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), new LambdaContext());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMillis).isBetween(200L, 2_000L);
        verify(api, times(2)).postToConnection(any(PostToConnectionRequest.class));
        verify(sqs, never()).deleteMessageBatch(any(DeleteMessageBatchRequest.class));
    }

    @Test
    void aBatchThatIsNotFull_rightAfterADelivery_waitsForThePace_andTakesWhatCameMeanwhileAlong() throws Exception {
        handler.handleRequest(Events.readings(readingsWithSeq(1)), new LambdaContext());
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class))).thenReturn(
                ReceiveMessageResponse.builder().messages(Message.builder().messageId("m3").receiptHandle("r3")
                        .body(Json.write(readingsWithSeq(3)[0])).build()).build(),
                ReceiveMessageResponse.builder().build());
        when(sqs.deleteMessageBatch(any(DeleteMessageBatchRequest.class))).thenReturn(DeleteMessageBatchResponse.builder().build());

        long started = System.nanoTime();
        handler.handleRequest(Events.readings(readingsWithSeq(2)), new LambdaContext());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        // The first delivery started at most a few ms before: the second waits out most of the 200 ms pace.
        assertThat(tookMillis).isBetween(150L, 2_000L);
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(4)).postToConnection(posts.capture());
        JsonNode frame = Json.MAPPER.readTree(posts.getValue().data().asUtf8String());
        assertThat(frame.get("items")).extracting(item -> item.path("reading").path("seq").asInt()).containsExactly(2, 3);
        verify(sqs).deleteMessageBatch(any(DeleteMessageBatchRequest.class));
    }

    @Test
    void aBatchThatIsNotFull_afterAQuietSpell_goesOutAtOnce() throws Exception {
        handler.handleRequest(Events.readings(readingsWithSeq(1)), new LambdaContext());
        Thread.sleep(250);

        long started = System.nanoTime();
        handler.handleRequest(Events.readings(readingsWithSeq(2)), new LambdaContext());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMillis).isLessThan(150L);
        verifyNoInteractions(sqs);
        verify(api, times(4)).postToConnection(any(PostToConnectionRequest.class));
    }

    @Test
    void aQueueThatStaysFull_isDrainedForAtMostTwiceTheCoverTime_evenBelowTheLimit() {
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class))).thenAnswer(call -> {
            Thread.sleep(2);
            List<Message> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = java.util.UUID.randomUUID().toString();
                ten.add(Message.builder().messageId(id).receiptHandle(id).body(Json.write(readingsWithSeq(i)[0])).build());
            }
            return ReceiveMessageResponse.builder().messages(ten).build();
        });
        Coalescing unbounded = new Coalescing(queue, Duration.ofMillis(200), 1_000_000, System::nanoTime);

        long started = System.nanoTime();
        List<ReadingsQueueClient.Received> more = unbounded.more(10, true, started, dev.edgewire.broadcast.Deadline.NONE);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMillis).isBetween(400L, 1_000L);
        assertThat(more).hasSizeGreaterThan(100).hasSizeLessThan(1_000_000);
    }

    @Test
    void whenDeliveryFails_theCoalescedReadingsAreNotDeleted_andTheBatchIsReportedFailed() {
        when(dynamoDb.scan(any(ScanRequest.class))).thenThrow(new IllegalStateException("table unreachable"));
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class))).thenReturn(ReceiveMessageResponse.builder()
                .messages(Message.builder().messageId("m11").receiptHandle("r11").body(Json.write(readingsWithSeq(11)[0])).build())
                .build(), ReceiveMessageResponse.builder().build());

        Map<String, Object> answer = handler.handleRequest(Events.readings(readingsWithSeq(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
                new LambdaContext());

        @SuppressWarnings("unchecked")
        List<Object> failures = (List<Object>) answer.get("batchItemFailures");
        assertThat(failures).hasSize(10);
        verify(sqs, never()).deleteMessageBatch(any(DeleteMessageBatchRequest.class));
        verifyNoInteractions(api);
    }

    @Test
    void whenReceivingMoreFails_theBatchInHandStillGoesOut() {
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class)))
                .thenThrow(SqsException.builder().statusCode(500).message("internal error").build());

        Map<String, Object> answer = handler.handleRequest(Events.readings(readingsWithSeq(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
                new LambdaContext());

        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
        verify(api, times(2)).postToConnection(any(PostToConnectionRequest.class));
    }

    @SuppressWarnings("unchecked")
    private static void markAsMessage(Map<String, Object> event, int index) {
        List<Map<String, Object>> records = (List<Map<String, Object>>) event.get("Records");
        records.get(index).put("messageAttributes", Map.of(ReadingsQueue.KIND_ATTRIBUTE,
                Map.of("stringValue", ReadingsQueue.KIND_MESSAGE, "dataType", "String")));
    }

    // ----- shards

    /** A coordinator that splits above 2 connections, and its workers: the same handler, invoked with the shard event as JSON. */
    private final List<ShardEvent> shardsRun = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** How many more times the worker of the shard holding c1 fails (the shards run at once, so only that one). */
    private final java.util.concurrent.atomic.AtomicInteger workerFailures = new java.util.concurrent.atomic.AtomicInteger();
    private final FanOutHandler coordinator = new FanOutHandler(
            new ConnectionIdCache(repository, Duration.ofSeconds(1), clock), new Broadcaster(api, repository, 16),
            (payload, ids, attempt, context) -> handedOver.add(new ContinuationEvent(payload, ids, attempt)),
            queue, Coalescing.NONE, new Sharding((shard, context) -> {
                shardsRun.add(shard);
                if (shard.connectionIds().contains("c1") && workerFailures.getAndDecrement() > 0) {
                    throw new IllegalStateException("worker killed");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> event = Json.MAPPER.convertValue(shard.toEvent(), Map.class);
                return ShardOutcome.from(handler.handleRequest(event, new LambdaContext()));
            }, 2, 4), emf.metrics());

    @Test
    void aLargeAudience_isSplitIntoShards_eachPostedByAWorker_everyConnectionOnce() {
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(Dynamo.page(List.of("c1", "c2", "c3", "c4", "c5"), null));

        Map<String, Object> answer = coordinator.handleRequest(Events.readings(readingsWithSeq(1, 2)), new LambdaContext());

        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
        // Each worker counts its own posts, the coordinator the batch: every post counted once.
        assertThat(emf.documents()).hasSize(4);
        assertThat(emf.sum(Metrics.READINGS_IN)).isEqualTo(2);
        assertThat(emf.sum(Metrics.CONNECTIONS)).isEqualTo(5);
        assertThat(emf.sum(Metrics.FRAMES_DELIVERED)).isEqualTo(5);
        assertThat(emf.sum(Metrics.READINGS_DELIVERED)).isEqualTo(10);
        assertThat(shardsRun).hasSize(3).allSatisfy(shard -> {
            assertThat(shard.connectionIds()).hasSizeLessThanOrEqualTo(2);
            assertThat(shard.frames()).singleElement().satisfies(f -> assertThat(f).startsWith("{\"type\":\"batch\""));
        });
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(5)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId)
                .containsExactlyInAnyOrder("c1", "c2", "c3", "c4", "c5");
        assertThat(handedOver).isEmpty();
    }

    @Test
    void anAudienceOfTheShardSize_isPostedByTheInvocationItself() {
        coordinator.handleRequest(Events.readings(readingsWithSeq(1)), new LambdaContext());

        assertThat(shardsRun).isEmpty();
        verify(api, times(2)).postToConnection(any(PostToConnectionRequest.class));
    }

    @Test
    void aWorkerThatFails_isTriedOnceMore_andItsShardIsDeliveredOnce() {
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(Dynamo.page(List.of("c1", "c2", "c3"), null));
        workerFailures.set(1);

        Map<String, Object> answer = coordinator.handleRequest(Events.readings(readingsWithSeq(1)), new LambdaContext());

        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
        assertThat(shardsRun).hasSize(3); // two shards, one of them twice
        verify(api, times(3)).postToConnection(any(PostToConnectionRequest.class));
        assertThat(handedOver).isEmpty();
    }

    @Test
    void aShardWhoseWorkerFailsTwice_isHandedOverAsARetry_andOnlyThatShard() {
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(Dynamo.page(List.of("c1", "c2", "c3", "c4"), null));
        workerFailures.set(2);

        Map<String, Object> answer = coordinator.handleRequest(Events.readings(readingsWithSeq(1)), new LambdaContext());

        assertThat(answer).isEqualTo(Map.of("batchItemFailures", List.of()));
        assertThat(handedOver).singleElement().satisfies(h -> {
            assertThat(h.connectionIds()).containsExactly("c1", "c2");
            assertThat(h.attempt()).isEqualTo(2);
        });
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(2)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId)
                .doesNotContainAnyElementsOf(handedOver.getFirst().connectionIds());
    }

    @Test
    void goneConnectionsAWorkerFound_areLeftOutOfTheNextBatchesShards() {
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(Dynamo.page(List.of("c1", "c2", "gone"), null));
        when(api.postToConnection(any(PostToConnectionRequest.class))).thenAnswer(call -> {
            if (((PostToConnectionRequest) call.getArgument(0)).connectionId().equals("gone")) {
                throw GoneException.builder().statusCode(410).message("gone").build();
            }
            return PostToConnectionResponse.builder().build();
        });

        coordinator.handleRequest(Events.readings(readingsWithSeq(1)), new LambdaContext());
        shardsRun.clear();
        coordinator.handleRequest(Events.readings(readingsWithSeq(2)), new LambdaContext());

        // Two connections left: at the shard size, posted by the coordinator itself, "gone" not among them.
        assertThat(shardsRun).isEmpty();
        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(5)).postToConnection(posts.capture());
        assertThat(posts.getAllValues().subList(3, 5)).extracting(PostToConnectionRequest::connectionId)
                .containsExactlyInAnyOrder("c1", "c2");
    }

    @Test
    void aFailedPost_isHandedOverAsTheNextAttempt_andTheLastAttemptFailsTheInvocation() {
        when(api.postToConnection(any(PostToConnectionRequest.class))).thenAnswer(call -> {
            if (((PostToConnectionRequest) call.getArgument(0)).connectionId().equals("c2")) {
                throw ApiGatewayManagementApiException.builder().statusCode(500).message("internal").build();
            }
            return PostToConnectionResponse.builder().build();
        });

        handler.handleRequest(Events.readings(readingsWithSeq(1)), new LambdaContext());
        assertThat(handedOver).singleElement().satisfies(h -> {
            assertThat(h.connectionIds()).containsExactly("c2");
            assertThat(h.attempt()).isEqualTo(2);
        });

        handler.handleRequest(new HashMap<>(new ContinuationEvent(handedOver.getFirst().payload(), List.of("c2"), 2).toEvent()),
                new LambdaContext());
        assertThat(handedOver).last().satisfies(h -> assertThat(h.attempt()).isEqualTo(3));

        Map<String, Object> last = new HashMap<>(new ContinuationEvent(handedOver.getFirst().payload(), List.of("c2"), 3).toEvent());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handler.handleRequest(last, new LambdaContext()))
                .hasMessageContaining("posts to 1 connections failed 3 times");
        assertThat(handedOver).hasSize(2);
    }

    @Test
    void anEventThatIsNeitherABatchNorAContinuation_isIgnored() {
        assertThat(handler.handleRequest(Events.ruleOutput("telemetry-rule-output.json"), new LambdaContext())).isNull();
        assertThat(handler.handleRequest(null, new LambdaContext())).isNull();

        verifyNoInteractions(api);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object>[] readingsWithSeq(int... seqs) {
        Map<String, Object>[] outputs = new Map[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            Map<String, Object> output = new HashMap<>(Events.ruleOutput("telemetry-rule-output.json"));
            output.put("seq", seqs[i]);
            outputs[i] = output;
        }
        return outputs;
    }
}
