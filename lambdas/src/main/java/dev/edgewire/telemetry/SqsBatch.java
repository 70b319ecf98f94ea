package dev.edgewire.telemetry;

import dev.edgewire.contract.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The event Lambda's SQS event source mapping sends: {@code {"Records":[{"messageId":..., "body":...,
 * "eventSource":"aws:sqs", ...}]}} (Lambda Developer Guide, "Using Lambda with Amazon SQS", example
 * event), read from the plain map the runtime gives, and the answer that names the records that
 * failed, {@code {"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}} ("Implementing partial
 * batch responses"). Only the failed records come back; the mapping deletes the rest.
 */
record SqsBatch(List<Message> messages) {

    static final String RECORDS = "Records";
    static final String EVENT_SOURCE = "eventSource";
    static final String SQS = "aws:sqs";

    /**
     * One message: its id, its body as the sender wrote it, and its
     * {@link Topology.ReadingsQueue#KIND_ATTRIBUTE} ({@code null} for a reading from a topic rule).
     */
    record Message(String messageId, String body, String kind) {
    }

    /** The batch this event carries, or {@code null} when it is not an SQS event. */
    static SqsBatch from(Map<String, ?> event) {
        if (event == null || !(event.get(RECORDS) instanceof List<?> records)) {
            return null;
        }
        List<Message> messages = new ArrayList<>(records.size());
        for (Object record : records) {
            if (!(record instanceof Map<?, ?> fields) || !SQS.equals(fields.get(EVENT_SOURCE))
                    || !(fields.get("messageId") instanceof String id) || !(fields.get("body") instanceof String body)) {
                return null;
            }
            messages.add(new Message(id, body, kind(fields.get("messageAttributes"))));
        }
        return new SqsBatch(List.copyOf(messages));
    }

    /** The string value of the kind attribute, as Lambda writes message attributes: {@code {"kind":{"stringValue":...,"dataType":"String"}}}. */
    private static String kind(Object messageAttributes) {
        if (messageAttributes instanceof Map<?, ?> attributes
                && attributes.get(Topology.ReadingsQueue.KIND_ATTRIBUTE) instanceof Map<?, ?> kind
                && kind.get("stringValue") instanceof String value) {
            return value;
        }
        return null;
    }

    /** The answer naming {@code failed} as the messages to receive again. */
    static Map<String, Object> failures(List<Message> failed) {
        return Map.of("batchItemFailures",
                failed.stream().map(m -> Map.of("itemIdentifier", m.messageId())).toList());
    }
}
