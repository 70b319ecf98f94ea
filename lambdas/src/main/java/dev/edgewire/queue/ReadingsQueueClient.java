package dev.edgewire.queue;

import dev.edgewire.contract.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The functions' calls on the readings queue ({@link Topology.ReadingsQueue}): sendMessage queues a
 * watcher's message, and the fan-out receives and deletes readings itself while it coalesces a
 * busy queue. The client and the URL are looked up on first use, so a function that never calls
 * the queue never builds them.
 */
public final class ReadingsQueueClient {

    /** The most messages one {@code ReceiveMessage} or {@code DeleteMessageBatch} takes (Amazon SQS API Reference). */
    public static final int MAX_PER_REQUEST = 10;

    /** A message received from the queue: what the fan-out needs of it, and the handle that deletes it. */
    public record Received(String messageId, String body, String kind, String receiptHandle) {
    }

    private final Supplier<SqsClient> sqs;
    private final Supplier<String> queueUrl;

    public ReadingsQueueClient(Supplier<SqsClient> sqs, Supplier<String> queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    }

    /** Queues {@code body} marked as {@code kind} ({@link Topology.ReadingsQueue#KIND_ATTRIBUTE}); returns its message id. */
    public String send(String body, String kind) {
        return sqs.get().sendMessage(SendMessageRequest.builder().queueUrl(queueUrl.get()).messageBody(body)
                .messageAttributes(Map.of(Topology.ReadingsQueue.KIND_ATTRIBUTE,
                        MessageAttributeValue.builder().dataType("String").stringValue(kind).build()))
                .build()).messageId();
    }

    /**
     * Up to {@code max} (at most {@value #MAX_PER_REQUEST}) messages that are there now: a short
     * poll, which returns at once, empty or not. They stay invisible for the queue's visibility
     * timeout; one not deleted by then is received again.
     */
    public List<Received> receiveNow(int max) {
        List<Message> messages = sqs.get().receiveMessage(ReceiveMessageRequest.builder().queueUrl(queueUrl.get())
                .maxNumberOfMessages(Math.clamp(max, 1, MAX_PER_REQUEST))
                .waitTimeSeconds(0)
                .messageAttributeNames(Topology.ReadingsQueue.KIND_ATTRIBUTE)
                .build()).messages();
        List<Received> received = new ArrayList<>(messages.size());
        for (Message m : messages) {
            MessageAttributeValue kind = m.messageAttributes().get(Topology.ReadingsQueue.KIND_ATTRIBUTE);
            received.add(new Received(m.messageId(), m.body(), kind == null ? null : kind.stringValue(), m.receiptHandle()));
        }
        return received;
    }

    /** Deletes these messages, ten per request; returns how many the queue did not delete. */
    public int delete(List<Received> messages) {
        int failed = 0;
        for (int from = 0; from < messages.size(); from += MAX_PER_REQUEST) {
            List<Received> chunk = messages.subList(from, Math.min(messages.size(), from + MAX_PER_REQUEST));
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(chunk.get(i).receiptHandle()).build());
            }
            DeleteMessageBatchResponse response = sqs.get().deleteMessageBatch(DeleteMessageBatchRequest.builder()
                    .queueUrl(queueUrl.get()).entries(entries).build());
            failed += response.failed().size();
        }
        return failed;
    }
}
