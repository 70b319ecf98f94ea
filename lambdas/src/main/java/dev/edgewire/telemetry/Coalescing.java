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
 * Paces the fan-out so that under load each watcher gets a few large WebSocket messages a second
 * instead of one per batch of ten ({@link Topology.ReadingsQueue#COALESCE_FOR}), while a trickle
 * goes out at once.
 *
 * <p>Two rules decide how long an invocation receives more readings itself before it delivers:
 * <ul>
 *   <li><b>Pace.</b> A delivery starts no sooner than {@code coverFor} after the previous one of the
 *       same execution environment started. Lambda runs one invocation at a time in an environment
 *       and the mapping runs at most {@link Topology.ReadingsQueue#MAX_CONCURRENCY} at once, so a
 *       watcher gets at most {@code MAX_CONCURRENCY / coverFor} posts a second (for frames that fit
 *       one post) whether batches arrive full or not. A reading that comes after a quiet spell goes
 *       out at once.</li>
 *   <li><b>Full batch.</b> A batch that arrived full says the queue holds more: the invocation covers
 *       at least {@code coverFor} from its own start.</li>
 * </ul>
 * While it waits it receives from the queue (10 at a time, no wait, a short pause when the queue is
 * empty). Once the wait is over it goes on only while receives come back full, for at most another
 * {@code coverFor}, and never past {@code maxMessages} readings in all, so no reading is held longer
 * than twice the cover time before its delivery starts. What it received is the fan-out's to delete
 * once delivered; anything not deleted comes back after the queue's visibility timeout, as a failed
 * batch would.
 *
 * <p>The pace is kept per thread: on Lambda that is per execution environment; local mode's
 * pollers each run on a thread of their own, as environments do.
 */
public final class Coalescing {

    private static final Logger LOG = LoggerFactory.getLogger(Coalescing.class);
    /** How long to wait before asking an empty queue again while the cover time lasts. */
    static final Duration EMPTY_PAUSE = Duration.ofMillis(20);

    /** Never receives more and never waits: for a fan-out that does not coalesce (tests of delivery alone). */
    public static final Coalescing NONE = new Coalescing(null, Duration.ZERO, 0, System::nanoTime);

    private final ReadingsQueueClient queue;
    private final Duration coverFor;
    private final int maxMessages;
    private final LongSupplier nanoTime;
    /** When this environment's last delivery started ({@link System#nanoTime()}), or none yet. */
    private final ThreadLocal<Long> lastDelivery = new ThreadLocal<>();

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
     * Messages received in addition to the {@code inHand} of the invocation's batch; when it returns,
     * the delivery starts, and the next one of this environment is paced from then.
     *
     * @param full whether the batch arrived full ({@link Topology.ReadingsQueue#BATCH_SIZE})
     * @param startedNanos when the invocation started ({@link System#nanoTime()})
     * @param deadline stops receiving when it passes, whatever the cover time
     */
    public List<ReadingsQueueClient.Received> more(int inHand, boolean full, long startedNanos, Deadline deadline) {
        List<ReadingsQueueClient.Received> more = new ArrayList<>();
        if (queue == null) {
            return more;
        }
        long cover = coverFor.toNanos();
        Long last = lastDelivery.get();
        long waitUntil = full ? startedNanos + cover : startedNanos;
        if (last != null && last + cover - waitUntil > 0) {
            waitUntil = last + cover;
        }
        long stopBy = waitUntil + cover;
        try {
            boolean lastFull = false;
            while (inHand + more.size() < maxMessages && !deadline.passed()) {
                long now = nanoTime.getAsLong();
                // Past the wait, go on only while the queue keeps answering full, and not past stopBy.
                if (waitUntil - now <= 0 && (!lastFull || stopBy - now <= 0)) {
                    break;
                }
                int wanted = Math.min(ReadingsQueueClient.MAX_PER_REQUEST, maxMessages - inHand - more.size());
                List<ReadingsQueueClient.Received> received = queue.receiveNow(wanted);
                more.addAll(received);
                lastFull = received.size() == wanted;
                long left = waitUntil - nanoTime.getAsLong();
                if (received.isEmpty() && left > 0) {
                    Thread.sleep(Duration.ofNanos(Math.min(left, EMPTY_PAUSE.toNanos())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // What is in hand goes out now; the rest waits in the queue for the next batch.
            LOG.warn("receiving more readings to coalesce failed after {}: {}", more.size(), e.toString());
        }
        lastDelivery.set(nanoTime.getAsLong());
        return more;
    }
}
