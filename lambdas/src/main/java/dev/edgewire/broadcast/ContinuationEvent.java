package dev.edgewire.broadcast;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The event of a continued broadcast: {@code {"continuation":{"payload":"...","connectionIds":[...]}}},
 * nothing else at the top level. A topic rule's output can never have this shape: the rules always
 * add {@code topic} and {@code receivedAt} to what a device sent, so a device cannot pass a reading
 * off as a continuation.
 */
public record ContinuationEvent(String payload, List<String> connectionIds) {

    public static final String FIELD = "continuation";
    static final String PAYLOAD = "payload";
    static final String CONNECTION_IDS = "connectionIds";

    public ContinuationEvent {
        Objects.requireNonNull(payload, "payload");
        connectionIds = List.copyOf(connectionIds);
    }

    /** The event as JSON-ready maps. */
    public Map<String, Object> toEvent() {
        return Map.of(FIELD, Map.of(PAYLOAD, payload, CONNECTION_IDS, connectionIds));
    }

    /** The continuation this event carries, or {@code null} when it is anything else (a reading). */
    public static ContinuationEvent from(Map<String, ?> event) {
        if (event == null || event.size() != 1 || !(event.get(FIELD) instanceof Map<?, ?> body)) {
            return null;
        }
        if (!(body.get(PAYLOAD) instanceof String payload) || !(body.get(CONNECTION_IDS) instanceof List<?> ids)) {
            return null;
        }
        List<String> connectionIds = new ArrayList<>(ids.size());
        for (Object id : ids) {
            if (!(id instanceof String s)) {
                return null;
            }
            connectionIds.add(s);
        }
        return new ContinuationEvent(payload, connectionIds);
    }
}
