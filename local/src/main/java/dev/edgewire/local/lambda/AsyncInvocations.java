package dev.edgewire.local.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Topology.Function;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asynchronous invocations, as Lambda runs them: an event queue in front of a fixed number of
 * invocations at once, {@value #ATTEMPTS} attempts per event with one request id, and Lambda's
 * {@link InvocationRecord} to the on-failure destination when every attempt failed.
 *
 * <p>The queue is bounded, unlike Lambda's, so that events arriving faster than the functions take
 * them are refused instead of costing memory without end; the caller is never blocked, and says what
 * becomes of a refused event.
 */
public final class AsyncInvocations implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncInvocations.class);
    /** The first attempt and Lambda's two retries. */
    public static final int ATTEMPTS = 3;

    private final LocalLambdas lambdas;
    private final ObjectMapper mapper;
    private final int queueLength;
    private final Duration retryDelay;
    private final String onFailureName;
    private final Consumer<ObjectNode> onFailure;
    private final ThreadPoolExecutor invocations;

    /**
     * @param concurrency   invocations at once, like a function's reserved concurrency
     * @param queueLength   events waiting for a free invocation; more are refused
     * @param retryDelay    before the second attempt, twice that before the third (Lambda waits 1 and
     *                      2 minutes)
     * @param onFailureName the on-failure destination, for the log
     * @param onFailure     gets the invocation record of an event whose every attempt failed
     */
    public AsyncInvocations(LocalLambdas lambdas, ObjectMapper mapper, int concurrency, int queueLength,
                            Duration retryDelay, String onFailureName, Consumer<ObjectNode> onFailure) {
        this.lambdas = lambdas;
        this.mapper = mapper;
        this.queueLength = queueLength;
        this.retryDelay = retryDelay;
        this.onFailureName = onFailureName;
        this.onFailure = onFailure;
        this.invocations = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueLength), Thread.ofVirtual().name("rule-action-", 0).factory());
    }

    /** Why a full event queue turned an event away. */
    public String refusal() {
        return "Lambda's asynchronous queue refused the invocation: " + queueLength + " events waiting";
    }

    public int queueLength() {
        return queueLength;
    }

    /**
     * Lambda's {@code Invoke} with invocation type {@code Event}. A full queue refuses the event as
     * Lambda refuses with 429, so the caller knows; a retry it refuses later is kept as a failure.
     *
     * @param what for the log
     * @throws IllegalStateException {@code TooManyRequestsException} when the queue is full
     */
    public void invokeEvent(String what, Function target, ObjectNode event, String requestId) {
        invoke(what, target, event, requestId, attempt -> {
            if (attempt == 1) {
                throw new IllegalStateException("TooManyRequestsException: " + refusal());
            }
            onFailure.accept(InvocationRecord.retriesExhausted(mapper, target, requestId, attempt, event,
                    new IllegalStateException(refusal()), Instant.now()));
        });
    }

    /**
     * One asynchronous invocation of {@code target}: queued, tried again after a failure, and its
     * invocation record sent to the on-failure destination when every attempt failed.
     *
     * @param what    for the log
     * @param refused gets the attempt that the full queue turned away; the first one is refused on the
     *                caller's thread
     */
    public void invoke(String what, Function target, ObjectNode event, String requestId, IntConsumer refused) {
        invoke(what, target, event, requestId, 1, refused);
    }

    private void invoke(String what, Function target, ObjectNode event, String requestId, int attempt,
                        IntConsumer refused) {
        try {
            invocations.execute(() -> {
                try {
                    lambdas.invoke(target, mapper.convertValue(event, Map.class), requestId);
                } catch (RuntimeException e) {
                    if (attempt < ATTEMPTS) {
                        Duration delay = retryDelay.multipliedBy(attempt);
                        LOG.warn("{} failed (attempt {} of {}), trying again in {} s: {}", what, attempt, ATTEMPTS,
                                delay.toSeconds(), e.toString());
                        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)
                                .execute(() -> invoke(what, target, event, requestId, attempt + 1, refused));
                    } else {
                        LOG.warn("{} failed after {} attempts; its event is kept in {}: {}", what, attempt,
                                onFailureName, e.toString());
                        onFailure.accept(InvocationRecord.retriesExhausted(mapper, target, requestId, attempt, event, e,
                                Instant.now()));
                    }
                }
            });
        } catch (RejectedExecutionException full) {
            refused.accept(attempt);
        }
    }

    /** Takes no more events and waits up to 5 s for the running and queued ones. */
    @Override
    public void close() {
        invocations.shutdown();
        try {
            invocations.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
