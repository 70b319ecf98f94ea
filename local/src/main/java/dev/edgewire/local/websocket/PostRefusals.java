package dev.edgewire.local.websocket;

import dev.edgewire.standins.connections.ConnectionsApi;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fault injection on the {@code @connections} API: for a while, posts to chosen connections are refused
 * with 429 {@code LimitExceededException}, the error API Gateway gives a post it does not take ("The
 * client is sending more than the allowed number of requests per unit of time or the WebSocket client
 * side buffer is full", API Gateway Management API reference). The posts to other connections go on as
 * usual, so a broadcast fails for part of its audience only. Nothing is refused unless asked.
 */
public final class PostRefusals {

    static final String ERROR_TYPE = "LimitExceededException";
    static final String MESSAGE = "The client is sending more than the allowed number of requests per unit of time or "
            + "the WebSocket client side buffer is full (local mode's fault injection)";

    /** Connection id -> until when ({@link System#nanoTime()}) its posts are refused. */
    private final Map<String, Long> until = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /** Refuses every post to these connections from now for {@code duration}. */
    public void refuse(Collection<String> connectionIds, Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        connectionIds.forEach(id -> until.put(id, end));
    }

    /** The refusal of a post to {@code connectionId}, while one is in force; empty otherwise. */
    Optional<ConnectionsApi.Reply> refusal(String connectionId) {
        Long end = until.get(connectionId);
        if (end == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - end >= 0) {
            until.remove(connectionId, end);
            return Optional.empty();
        }
        refused.increment();
        return Optional.of(new ConnectionsApi.Reply(429, ERROR_TYPE, "{\"message\":\"" + MESSAGE + "\"}"));
    }

    /** Posts refused so far. */
    public long refused() {
        return refused.sum();
    }
}
