package dev.edgewire.broadcast;

import dev.edgewire.connection.ConnectionRepository;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * Sends one payload to many WebSocket connections through the {@code @connections} API.
 *
 * <p>Posts run concurrently on virtual threads with at most {@code maxInFlight} at a time, so
 * one broadcast neither crawls one by one nor floods the account's management API rate. Posting
 * starts while the Scan is still paging. A connection API Gateway reports gone is deleted from the
 * table, that one and no other, and the delete is awaited before the broadcast returns. Any other
 * failure is counted and logged with its connection id and does not stop the rest.
 */
public final class Broadcaster {

    private static final Logger LOG = LoggerFactory.getLogger(Broadcaster.class);
    private static final int HTTP_GONE = 410;

    private final ConnectionPoster poster;
    private final ConnectionRepository connections;
    private final int maxInFlight;

    /** Posts through the SDK's generated client. */
    public Broadcaster(ApiGatewayManagementApiClient managementApi, ConnectionRepository connections, int maxInFlight) {
        this(ConnectionPoster.of(managementApi), connections, maxInFlight);
    }

    public Broadcaster(ConnectionPoster poster, ConnectionRepository connections, int maxInFlight) {
        this.poster = Objects.requireNonNull(poster, "poster");
        this.connections = Objects.requireNonNull(connections, "connections");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
    }

    /** Sends {@code payload} to every connection in the table. */
    public BroadcastResult toAll(String payload) {
        return toAll(payload, Deadline.NONE);
    }

    /**
     * Sends {@code payload} to every connection in the table until {@code deadline} passes; the
     * connections not posted to by then are in {@link BroadcastResult#unsent()}.
     */
    public BroadcastResult toAll(String payload, Deadline deadline) {
        return run(connections::forEachConnectionId, payload, deadline);
    }

    /** Sends {@code payload} to each of these connections (for example ids read a moment ago). */
    public BroadcastResult toEach(Iterable<String> connectionIds, String payload) {
        return toEach(connectionIds, payload, Deadline.NONE);
    }

    /** As {@link #toEach(Iterable, String)}, stopping at {@code deadline} as {@link #toAll(String, Deadline)} does. */
    public BroadcastResult toEach(Iterable<String> connectionIds, String payload, Deadline deadline) {
        Objects.requireNonNull(connectionIds, "connectionIds");
        return run(connectionIds::forEach, payload, deadline);
    }

    /** Sends {@code payload} to one connection, with the same gone-handling as a broadcast. */
    public Delivery sendTo(String connectionId, String payload) {
        return post(connectionId, SdkBytes.fromUtf8String(payload));
    }

    private BroadcastResult run(Consumer<Consumer<String>> source, String payload, Deadline deadline) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(deadline, "deadline");
        // Ids seen once the deadline passed; a segmented scan calls in from several threads.
        Queue<String> unsent = new ConcurrentLinkedQueue<>();
        AtomicBoolean stopped = new AtomicBoolean();
        long started = System.nanoTime();
        SdkBytes data = SdkBytes.fromUtf8String(payload);
        Semaphore inFlight = new Semaphore(maxInFlight);
        LongAdder delivered = new LongAdder();
        Queue<String> failed = new ConcurrentLinkedQueue<>();
        Set<String> gone = ConcurrentHashMap.newKeySet();
        // Carry the invocation's log fields (the request id) into the posting threads.
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        try (ExecutorService posts = Executors.newVirtualThreadPerTaskExecutor()) {
            source.accept(connectionId -> {
                if (stopped.get() || deadline.passed()) {
                    stopped.set(true);
                    unsent.add(connectionId);
                    return;
                }
                inFlight.acquireUninterruptibly();
                if (deadline.passed()) {
                    stopped.set(true);
                    inFlight.release();
                    unsent.add(connectionId);
                    return;
                }
                try {
                    posts.execute(() -> {
                        if (logContext != null) {
                            MDC.setContextMap(logContext);
                        }
                        try {
                            switch (post(connectionId, data)) {
                                case DELIVERED -> delivered.increment();
                                case GONE -> gone.add(connectionId);
                                case FAILED -> failed.add(connectionId);
                            }
                        } finally {
                            inFlight.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    inFlight.release();
                    throw e;
                }
            });
        } // close() waits for every post (and every gone-delete) to finish
        List<String> failedIds = List.copyOf(failed);
        BroadcastResult result = new BroadcastResult(delivered.intValue(), gone.size(), failedIds.size(),
                Duration.ofNanos(System.nanoTime() - started), gone, List.copyOf(unsent), failedIds);
        LOG.info("broadcast {}", result);
        return result;
    }

    private Delivery post(String connectionId, SdkBytes data) {
        try {
            poster.post(connectionId, data);
            return Delivery.DELIVERED;
        } catch (GoneException e) {
            forget(connectionId);
            return Delivery.GONE;
        } catch (SdkServiceException e) {
            if (e.statusCode() == HTTP_GONE) {
                // A 410 without GoneException's error type (some stand-ins for API Gateway send only the status).
                forget(connectionId);
                return Delivery.GONE;
            }
            LOG.warn("post to connection {} failed: {}", connectionId, e.toString());
            return Delivery.FAILED;
        } catch (RuntimeException e) {
            LOG.warn("post to connection {} failed: {}", connectionId, e.toString());
            return Delivery.FAILED;
        }
    }

    private void forget(String connectionId) {
        try {
            connections.delete(connectionId);
            LOG.info("connection {} is gone; deleted it", connectionId);
        } catch (RuntimeException e) {
            // The row expires by TTL anyway, and the next broadcast tries the delete again.
            LOG.warn("connection {} is gone but deleting it failed: {}", connectionId, e.toString());
        }
    }
}
