package dev.edgewire.local.lambda;

import dev.edgewire.contract.Topology.Function;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event source mapping as Lambda keeps it: a resource with a UUID and a state, {@code Enabled} or
 * {@code Disabled}, that a user changes with {@code UpdateEventSourceMapping} ({@code aws lambda
 * update-event-source-mapping --uuid ... --no-enabled}). Enabled, its pollers ({@link SqsEventSource})
 * receive from the queue and invoke the function; disabled, nothing receives and messages stay in the
 * queue, for a user to look at or to let them pile up, until it is enabled again.
 *
 * <p>Disabling stops the pollers as {@link SqsEventSource#close()} does: batches in hand finish; a batch
 * a poller receives while it stops is not handed over and is received again after the queue's
 * visibility timeout, as any message that was not deleted.
 */
public final class EventSourceMapping implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventSourceMapping.class);

    private final String uuid;
    private final Function function;
    private final Supplier<String> eventSourceArn;
    private final int batchSize;
    private final int maximumConcurrency;
    private final Supplier<? extends AutoCloseable> startPolling;
    private final Clock clock;
    private boolean enabled;
    private boolean started;
    private boolean closed;
    private AutoCloseable polling;
    private Instant lastModified;
    private String reason = "USER_INITIATED";

    /**
     * @param eventSourceArn the queue's ARN (asked for when first described: the queue may still be made)
     * @param enabled        the state when local mode starts
     * @param startPolling   starts pollers for this mapping and returns what stops them
     */
    public EventSourceMapping(Function function, Supplier<String> eventSourceArn, int batchSize, int maximumConcurrency,
                              boolean enabled, Supplier<? extends AutoCloseable> startPolling, Clock clock) {
        this.function = function;
        this.eventSourceArn = eventSourceArn;
        this.batchSize = batchSize;
        this.maximumConcurrency = maximumConcurrency;
        this.enabled = enabled;
        this.startPolling = startPolling;
        this.clock = clock;
        this.lastModified = clock.instant();
        this.uuid = uuidOf(function);
    }

    /**
     * The UUID of the mapping that invokes {@code function}: the same from one start of local mode to the
     * next, as a mapping on AWS keeps its UUID.
     */
    public static String uuidOf(Function function) {
        return UUID.nameUUIDFromBytes(("event-source-mapping:" + function.id()).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** Starts polling if the mapping is enabled; until then it only exists. */
    public synchronized EventSourceMapping start() {
        started = true;
        if (enabled) {
            polling = startPolling.get();
        } else {
            LOG.info("event source mapping {} ({} <- {}) is disabled: messages stay in the queue until it is enabled",
                    uuid, function.id(), eventSourceArn.get());
        }
        return this;
    }

    public String uuid() {
        return uuid;
    }

    public Function function() {
        return function;
    }

    public String functionArn() {
        return LocalLambdas.functionArn(function);
    }

    public String eventSourceArn() {
        return eventSourceArn.get();
    }

    public synchronized boolean enabled() {
        return enabled;
    }

    /**
     * Enables or disables the mapping; disabling returns once the batches in hand are done. Setting the
     * state it already has changes nothing.
     */
    public synchronized void setEnabled(boolean enable) {
        if (closed || enable == enabled) {
            return;
        }
        enabled = enable;
        lastModified = clock.instant();
        reason = "USER_INITIATED";
        if (!started) {
            return;
        }
        if (enable) {
            polling = startPolling.get();
            LOG.info("event source mapping {} enabled: {} receives from {} again", uuid, function.id(), eventSourceArn.get());
        } else {
            stopPolling();
            LOG.info("event source mapping {} disabled: messages stay in {}", uuid, eventSourceArn.get());
        }
    }

    /**
     * The mapping as {@code GetEventSourceMapping} describes it ({@code EventSourceMappingConfiguration}),
     * the fields local mode has.
     */
    public synchronized Map<String, Object> configuration() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("UUID", uuid);
        c.put("BatchSize", batchSize);
        c.put("MaximumBatchingWindowInSeconds", 0);
        c.put("EventSourceArn", eventSourceArn.get());
        c.put("FunctionArn", functionArn());
        // REST-JSON timestamps are epoch seconds.
        c.put("LastModified", lastModified.toEpochMilli() / 1000.0);
        c.put("State", enabled ? "Enabled" : "Disabled");
        c.put("StateTransitionReason", reason);
        c.put("FunctionResponseTypes", List.of("ReportBatchItemFailures"));
        c.put("ScalingConfig", Map.of("MaximumConcurrency", maximumConcurrency));
        return c;
    }

    private void stopPolling() {
        if (polling != null) {
            try {
                polling.close();
            } catch (Exception e) {
                LOG.warn("event source mapping {}: its pollers did not stop cleanly: {}", uuid, e.toString());
            }
            polling = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        stopPolling();
    }
}
