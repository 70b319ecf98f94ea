package dev.edgewire.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.edgewire.contract.Topology.Function;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** The partial-batch rules and the event of Lambda's SQS event source mapping ("Implementing partial batch responses"). */
class SqsEventSourceTest {

    private static final List<Message> BATCH = List.of(message("m1"), message("m2"), message("m3"));

    private static Message message(String id) {
        return Message.builder().messageId(id).receiptHandle("rh-" + id).body("{\"seq\":1}").md5OfBody("abc")
                .attributes(Map.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"))
                .messageAttributes(Map.of("kind", MessageAttributeValue.builder().dataType("String").stringValue("reading").build()))
                .build();
    }

    @Test
    void anAnswerWithoutFailures_orNoAnswer_deletesTheWholeBatch() {
        assertThat(SqsEventSource.failedIds(Map.of("batchItemFailures", List.of()), BATCH)).isEmpty();
        assertThat(SqsEventSource.failedIds(null, BATCH)).isEmpty();
        assertThat(SqsEventSource.failedIds("ok", BATCH)).isEmpty();
    }

    @Test
    void theNamedFailures_stayInTheQueue_theRestIsDeleted() {
        Object answer = Map.of("batchItemFailures", List.of(Map.of("itemIdentifier", "m2")));

        assertThat(SqsEventSource.failedIds(answer, BATCH)).containsExactly("m2");
    }

    @Test
    void anIdTheBatchDoesNotHave_orAnEmptyOne_failsTheWholeBatch() {
        assertThat(SqsEventSource.failedIds(Map.of("batchItemFailures", List.of(Map.of("itemIdentifier", "m9"))), BATCH))
                .isEqualTo(Set.of("m1", "m2", "m3"));
        assertThat(SqsEventSource.failedIds(Map.of("batchItemFailures", List.of(Map.of())), BATCH))
                .isEqualTo(Set.of("m1", "m2", "m3"));
    }

    @Test
    void theEvent_hasTheShapeLambdaSends() {
        SqsEventSource source = new SqsEventSource(null, Function.FAN_OUT, () -> null, () -> "url",
                () -> "arn:aws:sqs:us-east-1:000000000000:edgewire-readings", "us-east-1", 10, 0);

        Map<String, Object> event = source.event(List.of(message("m1")));

        @SuppressWarnings("unchecked")
        Map<String, Object> record = ((List<Map<String, Object>>) event.get("Records")).getFirst();
        assertThat(record).containsEntry("messageId", "m1").containsEntry("receiptHandle", "rh-m1")
                .containsEntry("body", "{\"seq\":1}").containsEntry("md5OfBody", "abc")
                .containsEntry("eventSource", "aws:sqs")
                .containsEntry("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:edgewire-readings")
                .containsEntry("awsRegion", "us-east-1");
        assertThat(record.get("attributes")).isEqualTo(Map.of("ApproximateReceiveCount", "1"));
        @SuppressWarnings("unchecked")
        Map<String, Object> kind = (Map<String, Object>) ((Map<String, Object>) record.get("messageAttributes")).get("kind");
        assertThat(kind).containsEntry("stringValue", "reading").containsEntry("dataType", "String");
    }

    @Test
    void aBatchReceivedWhileStopping_goesBackToTheQueueAtOnce_andIsNotInvoked() throws Exception {
        SqsClient sqs = mock(SqsClient.class);
        java.util.concurrent.CountDownLatch polling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        when(sqs.receiveMessage(any(java.util.function.Consumer.class))).thenAnswer(call -> {
            polling.countDown();
            closed.await();  // a long poll that returns once close has begun
            return ReceiveMessageResponse.builder().messages(BATCH).build();
        }).thenReturn(ReceiveMessageResponse.builder().build());
        List<Object> invoked = new java.util.concurrent.CopyOnWriteArrayList<>();
        LocalLambdas lambdas = new LocalLambdas(Map.of(Function.FAN_OUT,
                (com.amazonaws.services.lambda.runtime.RequestHandler<Object, Object>) (event, context) -> invoked.add(event)),
                new dev.edgewire.local.cost.CostMeter());
        SqsEventSource source = new SqsEventSource(lambdas, Function.FAN_OUT, () -> sqs, () -> "http://q/readings",
                () -> "arn:aws:sqs:us-east-1:000000000000:readings", "us-east-1", 10, 1).start();

        polling.await();
        // No batch is in hand yet, so close returns at once; the long poll then returns a batch.
        source.close();
        closed.countDown();

        ArgumentCaptor<java.util.function.Consumer<ChangeMessageVisibilityBatchRequest.Builder>> change =
                ArgumentCaptor.forClass(java.util.function.Consumer.class);
        verify(sqs, timeout(5_000)).changeMessageVisibilityBatch(change.capture());
        ChangeMessageVisibilityBatchRequest.Builder request = ChangeMessageVisibilityBatchRequest.builder();
        change.getValue().accept(request);
        assertThat(request.build().entries()).extracting(e -> e.receiptHandle()).containsExactly("rh-m1", "rh-m2", "rh-m3");
        assertThat(request.build().entries()).allSatisfy(e -> assertThat(e.visibilityTimeout()).isZero());
        assertThat(invoked).isEmpty();
    }
}
