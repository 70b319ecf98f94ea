package dev.edgewire.local.rules;

import dev.edgewire.local.cost.SqsBilling;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The topic rules' SQS action: each rule output becomes one message on the readings queue, its body
 * the output as it is (the action's {@code useBase64} is false). Outputs wait in a bounded buffer and
 * go out in {@code SendMessageBatch} calls of up to ten, so a publisher never waits on the queue; an
 * output the buffer or the queue refuses goes to the rule's error action instead.
 */
public final class SqsAction implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqsAction.class);
    /** SQS's most entries in one SendMessageBatch. */
    static final int MAX_BATCH_ENTRIES = 10;
    /** SQS's most bytes in one SendMessageBatch (all bodies together). */
    static final int MAX_BATCH_BYTES = 256 * 1024;

    /** One output on its way, and what to do if it cannot be sent. */
    private record Pending(String body, Consumer<String> onRefused) {
    }

    private final Supplier<SqsClient> sqs;
    private final Supplier<String> queueUrl;
    private final BlockingQueue<Pending> pending;
    private final List<Thread> senders = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param sqs      the client, asked for when the first batch goes out (the service may still be starting)
     * @param queueUrl the readings queue, likewise
     * @param capacity outputs that may wait at most
     * @param senders  batches in flight at most
     */
    public SqsAction(Supplier<SqsClient> sqs, Supplier<String> queueUrl, int capacity, int senders) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.pending = new ArrayBlockingQueue<>(capacity);
        for (int i = 0; i < senders; i++) {
            this.senders.add(Thread.ofPlatform().name("sqs-action-" + i).daemon(true).start(this::sendBatches));
        }
    }

    /**
     * Queues {@code body} for the readings queue without waiting; false when the buffer is full. If the
     * queue refuses it later, {@code onRefused} gets the reason.
     */
    public boolean offer(String body, Consumer<String> onRefused) {
        return !closed && pending.offer(new Pending(body, onRefused));
    }

    /** Outputs waiting to be sent. */
    public int waiting() {
        return pending.size();
    }

    /** Messages the readings queue took, since start. */
    public long sent() {
        return sent.get();
    }

    private void sendBatches() {
        List<Pending> taken = new ArrayList<>(MAX_BATCH_ENTRIES);
        while (!closed || !pending.isEmpty()) {
            try {
                Pending first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
                pending.drainTo(taken, MAX_BATCH_ENTRIES - 1);
                // Within SQS's batch size: a batch ends before the body that would take it over.
                List<Pending> batch = new ArrayList<>(taken.size());
                int bytes = 0;
                for (Pending p : taken) {
                    int size = p.body().getBytes(StandardCharsets.UTF_8).length;
                    if (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
                        send(batch);
                        batch = new ArrayList<>(taken.size());
                        bytes = 0;
                    }
                    batch.add(p);
                    bytes += size;
                }
                send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                taken.clear();
            }
        }
    }

    private void send(List<Pending> batch) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                    .messageBody(batch.get(i).body()).build());
        }
        try {
            // AWS IoT's SQS action sends each output alone: the cost meter bills each entry as that SendMessage.
            SendMessageBatchResponse response = sqs.get().sendMessageBatch(b -> b.queueUrl(queueUrl.get()).entries(entries)
                    .overrideConfiguration(o -> o.putHeader(SqsBilling.BILLED_AS_HEADER, SqsBilling.IOT_RULE_ACTION)));
            sent.addAndGet(response.successful().size());
            for (BatchResultErrorEntry failed : response.failed()) {
                batch.get(Integer.parseInt(failed.id())).onRefused().accept(failed.code() + ": " + failed.message());
            }
        } catch (RuntimeException e) {
            LOG.warn("the readings queue refused a batch of {}: {}", batch.size(), e.toString());
            batch.forEach(p -> p.onRefused().accept(e.toString()));
        }
    }

    /** Sends what is waiting (for up to 5 s), then stops. */
    @Override
    public void close() {
        closed = true;
        for (Thread sender : senders) {
            try {
                sender.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        List<Pending> left = new ArrayList<>();
        pending.drainTo(left);
        left.forEach(p -> p.onRefused().accept("local mode stopped before the reading was queued"));
    }
}
