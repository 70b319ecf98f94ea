package dev.edgewire.broadcast;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The event of a continued broadcast:
 * {@code {"continuation":{"payload":"...","connectionIds":[...],"attempt":1}}}, nothing else at the
 * top level. {@code attempt} counts the attempts at these connections ({@code 1} when absent): a
 * broadcast that ran out of time hands its rest over as the same attempt, posts that failed go to
 * the next; after {@link #MAX_ATTEMPTS} the invocation fails, so Lambda retries it and then keeps
 * it in the on-failure destination. A topic rule's output can never have this shape: the rules always
 * add {@code topic} and {@code receivedAt} to what a device sent, so a device cannot pass a reading
 * off as a continuation.
 */
public record ContinuationEvent(String payload, List<String> connectionIds, int attempt) {

    public static final String FIELD = "continuation";
    /** Attempts at a connection's post, the first included, before an invocation gives up on it. */
    public static final int MAX_ATTEMPTS = 3;
    static final String PAYLOAD = "payload";
    static final String CONNECTION_IDS = "connectionIds";
    static final String ATTEMPT = "attempt";

    public ContinuationEvent {
        Objects.requireNonNull(payload, "payload");
        connectionIds = List.copyOf(connectionIds);
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1, was " + attempt);
        }
    }

    /** A first attempt. */
    public ContinuationEvent(String payload, List<String> connectionIds) {
        this(payload, connectionIds, 1);
    }

    /** The event as JSON-ready maps. */
    public Map<String, Object> toEvent() {
        return Map.of(FIELD, Map.of(PAYLOAD, payload, CONNECTION_IDS, connectionIds, ATTEMPT, attempt));
    }

    /** The continuation this event carries, or {@code null} when it is anything else (a reading). */
    public static ContinuationEvent from(Map<String, ?> event) {
        if (event == null || event.size() != 1 || !(event.get(FIELD) instanceof Map<?, ?> body)) {
            return null;
        }
        List<String> connectionIds = EventFields.strings(body.get(CONNECTION_IDS));
        if (!(body.get(PAYLOAD) instanceof String payload) || connectionIds == null) {
            return null;
        }
        Object attempt = body.get(ATTEMPT);
        if (attempt != null && !(attempt instanceof Integer n && n >= 1)) {
            return null;
        }
        return new ContinuationEvent(payload, connectionIds, attempt == null ? 1 : (Integer) attempt);
    }
}
