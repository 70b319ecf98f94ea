package dev.edgewire.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology.Function;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
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
}
