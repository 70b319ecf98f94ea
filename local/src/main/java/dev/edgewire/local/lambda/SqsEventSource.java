package dev.edgewire.local.lambda;

import dev.edgewire.contract.Topology.Function;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's event source mapping for an SQS queue, as the Lambda Developer Guide describes it ("Using
 * Lambda with Amazon SQS"): pollers long-poll the queue; a receive of up to the batch size becomes one
 * synchronous invocation with the {@code Records} event Lambda sends, at once when there is no
 * batching window; messages of a successful batch are deleted; with {@code ReportBatchItemFailures}
 * only the messages the function names in {@code batchItemFailures} stay, and an answer naming an id
 * the batch does not have fails the whole batch. A batch whose invocation fails stays whole. What
 * stays becomes visible again after the queue's visibility timeout, and the queue's redrive policy
 * moves it to the dead-letter queue after its last receive. The number of pollers is the mapping's
 * maximum concurrency.
 */
public final class SqsEventSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqsEventSource.class);
    /**
     * A poller's long poll. Lambda's pollers wait SQS's longest, 20 s; local mode waits 5 s, because
     * stopping the SQS service waits for the receives in progress, and an idle queue then costs one
     * receive per poller every 5 s.
     */
    private static final int WAIT_SECONDS = 5;
    /** How long close waits for a batch in hand to finish: the fan-out's timeout and some. */
    private static final Duration BATCH_IN_HAND = Duration.ofSeconds(35);

    private final LocalLambdas lambdas;
    private final Function function;
    private final Supplier<SqsClient> sqs;
    private final Supplier<String> queueUrl;
    private final Supplier<String> queueArn;
    private final String region;
    private final int batchSize;
    private final List<Thread> pollers = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong failedMessages = new AtomicLong();
    private final Set<Thread> delivering = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param batchSize   messages per invocation at most (10 at most: one receive, no batching window)
     * @param concurrency invocations at once at most: the number of pollers
     */
    public SqsEventSource(LocalLambdas lambdas, Function function, Supplier<SqsClient> sqs, Supplier<String> queueUrl,
                          Supplier<String> queueArn, String region, int batchSize, int concurrency) {
        if (batchSize < 1 || batchSize > 10) {
            throw new IllegalArgumentException("without a batching window a batch is 1 to 10 messages, not " + batchSize);
        }
        this.lambdas = lambdas;
        this.function = function;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.region = region;
        this.batchSize = batchSize;
        for (int i = 0; i < concurrency; i++) {
            pollers.add(Thread.ofPlatform().name("sqs-poller-" + function.id() + "-" + i).daemon(true)
                    .unstarted(this::poll));
        }
    }

    /** Starts the pollers. */
    public SqsEventSource start() {
        pollers.forEach(Thread::start);
        return this;
    }

    /** Batches handed to the function, since start. */
    public long batches() {
        return batches.get();
    }

    /** Messages that stayed in the queue after their batch (failed or reported failed), since start. */
    public long failedMessages() {
        return failedMessages.get();
    }

    private void poll() {
        while (!closed) {
            List<Message> messages;
            try {
                messages = sqs.get().receiveMessage(b -> b.queueUrl(queueUrl.get()).maxNumberOfMessages(batchSize)
                        .waitTimeSeconds(WAIT_SECONDS)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("receive from {} failed: {}", queueUrl.get(), e.toString());
                    pause(Duration.ofSeconds(1));
                }
                continue;
            }
            if (!messages.isEmpty()) {
                // In the set before the check, so close either sees this batch or this poller sees close.
                delivering.add(Thread.currentThread());
                try {
                    if (!closed) {
                        deliver(messages);
                    } else {
                        release(messages);
                    }
                } finally {
                    delivering.remove(Thread.currentThread());
                }
            }
        }
    }

    /**
     * Hands a batch received while closing back to the queue at once (visibility 0), rather than
     * leaving it invisible for the whole visibility timeout; the receive still counts toward its
     * redrive, as a batch Lambda could not hand over would.
     */
    private void release(List<Message> messages) {
        try {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(messages.get(i).receiptHandle()).visibilityTimeout(0).build());
            }
            sqs.get().changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl.get()).entries(entries));
        } catch (RuntimeException e) {
            LOG.info("{} messages received while stopping come back after the visibility timeout: {}", messages.size(),
                    e.toString());
        }
    }

    private void deliver(List<Message> messages) {
        batches.incrementAndGet();
        Set<String> failed;
        try {
            Object answer = lambdas.invoke(function, event(messages), UUID.randomUUID().toString());
            failed = failedIds(answer, messages);
        } catch (RuntimeException e) {
            LOG.warn("{} failed a batch of {}; it stays in the queue: {}", function.id(), messages.size(), e.toString());
            failed = ids(messages);
        }
        failedMessages.addAndGet(failed.size());
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build());
            }
        }
        if (!done.isEmpty()) {
            try {
                sqs.get().deleteMessageBatch(b -> b.queueUrl(queueUrl.get()).entries(done));
            } catch (RuntimeException e) {
                LOG.warn("delete of {} messages from {} failed; they will be received again: {}", done.size(),
                        queueUrl.get(), e.toString());
            }
        }
    }

    /**
     * The ids the answer reports failed: none for an answer without {@code batchItemFailures}, every id
     * when it names an id the batch does not have ("Implementing partial batch responses").
     */
    static Set<String> failedIds(Object answer, List<Message> messages) {
        if (!(answer instanceof Map<?, ?> map) || !(map.get("batchItemFailures") instanceof List<?> failures)) {
            return Set.of();
        }
        Set<String> batch = ids(messages);
        Set<String> failed = new HashSet<>();
        for (Object failure : failures) {
            Object id = failure instanceof Map<?, ?> f ? f.get("itemIdentifier") : null;
            if (!(id instanceof String s) || !batch.contains(s)) {
                return batch;
            }
            failed.add(s);
        }
        return failed;
    }

    private static Set<String> ids(List<Message> messages) {
        Set<String> ids = new HashSet<>();
        messages.forEach(m -> ids.add(m.messageId()));
        return ids;
    }

    /** The event Lambda sends for these messages. */
    Map<String, Object> event(List<Message> messages) {
        List<Object> records = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("messageId", m.messageId());
            record.put("receiptHandle", m.receiptHandle());
            record.put("body", m.body());
            Map<String, Object> attributes = new LinkedHashMap<>();
            m.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
            record.put("attributes", attributes);
            Map<String, Object> messageAttributes = new LinkedHashMap<>();
            m.messageAttributes().forEach((name, value) -> messageAttributes.put(name, attribute(value)));
            record.put("messageAttributes", messageAttributes);
            record.put("md5OfBody", m.md5OfBody());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", queueArn.get());
            record.put("awsRegion", region);
            records.add(record);
        }
        return Map.of("Records", records);
    }

    private static Map<String, Object> attribute(MessageAttributeValue value) {
        Map<String, Object> attribute = new LinkedHashMap<>();
        attribute.put("stringValue", value.stringValue());
        attribute.put("binaryValue", value.binaryValue() == null ? null
                : java.util.Base64.getEncoder().encodeToString(value.binaryValue().asByteArray()));
        attribute.put("stringListValues", value.stringListValues());
        attribute.put("binaryListValues", List.of());
        attribute.put("dataType", value.dataType());
        return attribute;
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /**
     * Stops polling and waits for the batches in hand. A poller waiting in a receive is not waited
     * for: it ends when the SQS service stops, and a message it receives before then is not handed
     * over (it comes back after the visibility timeout).
     */
    @Override
    public void close() {
        closed = true;
        for (Thread poller : List.copyOf(delivering)) {
            try {
                poller.join(BATCH_IN_HAND);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
