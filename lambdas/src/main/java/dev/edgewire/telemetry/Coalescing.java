package dev.edgewire.telemetry;

import dev.edgewire.broadcast.Deadline;
import dev.edgewire.contract.Topology;
import dev.edgewire.queue.ReadingsQueueClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grows a full batch from a busy readings queue, so that under load each watcher gets a few large
 * WebSocket messages a second instead of one per batch of ten ({@link Topology.ReadingsQueue#COALESCE_FOR}).
 * The fan-out calls it only when its batch arrived full: then it receives more itself until
 * {@code coverFor} after the invocation started, pausing briefly when the queue is empty, and goes
 * on after that while receives come back full, up to {@code maxMessages} in all. What it received
 * is the fan-out's to delete once delivered; anything not deleted comes back after the queue's
 * visibility timeout, as a failed batch would.
 */
public final class Coalescing {

    private static final Logger LOG = LoggerFactory.getLogger(Coalescing.class);
    /** How long to wait before asking an empty queue again while the cover time lasts. */
    static final Duration EMPTY_PAUSE = Duration.ofMillis(20);

    /** Never receives more: for a fan-out that does not coalesce (tests of delivery alone). */
    public static final Coalescing NONE = new Coalescing(null, Duration.ZERO, 0, System::nanoTime);

    private final ReadingsQueueClient queue;
    private final Duration coverFor;
    private final int maxMessages;
    private final LongSupplier nanoTime;

    /** As {@link Topology.ReadingsQueue} sets it. */
    public static Coalescing of(ReadingsQueueClient queue) {
        return new Coalescing(queue, Topology.ReadingsQueue.COALESCE_FOR, Topology.ReadingsQueue.MAX_COALESCED,
                System::nanoTime);
    }

    Coalescing(ReadingsQueueClient queue, Duration coverFor, int maxMessages, LongSupplier nanoTime) {
        this.queue = queue;
        this.coverFor = Objects.requireNonNull(coverFor, "coverFor");
        this.maxMessages = maxMessages;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Messages received in addition to the {@code inHand} of a full batch.
     *
     * @param startedNanos when the invocation started ({@link System#nanoTime()})
     * @param deadline stops receiving when it passes, whatever the cover time
     */
    public List<ReadingsQueueClient.Received> more(int inHand, long startedNanos, Deadline deadline) {
        List<ReadingsQueueClient.Received> more = new ArrayList<>();
        if (queue == null) {
            return more;
        }
        long coverUntil = startedNanos + coverFor.toNanos();
        try {
            while (inHand + more.size() < maxMessages && !deadline.passed()) {
                int wanted = Math.min(ReadingsQueueClient.MAX_PER_REQUEST, maxMessages - inHand - more.size());
                List<ReadingsQueueClient.Received> received = queue.receiveNow(wanted);
                more.addAll(received);
                long left = coverUntil - nanoTime.getAsLong();
                if (received.size() < wanted) {
                    if (left <= 0) {
                        break;
                    }
                    if (received.isEmpty()) {
                        Thread.sleep(Duration.ofNanos(Math.min(left, EMPTY_PAUSE.toNanos())));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // What is in hand goes out now; the rest waits in the queue for the next batch.
            LOG.warn("receiving more readings to coalesce failed after {}: {}", more.size(), e.toString());
        }
        return more;
    }
}
