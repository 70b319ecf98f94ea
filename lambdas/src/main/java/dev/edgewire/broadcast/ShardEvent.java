package dev.edgewire.broadcast;

import java.util.List;
import java.util.Map;

/**
 * The event of a worker invocation: {@code {"shard":{"frames":["..."],"connectionIds":[...]}}},
 * nothing else at the top level. The fan-out splits a large audience into shards and hands each,
 * with the frames of its batch, to a worker (the fan-out function itself, invoked synchronously),
 * which posts every frame, in order, to every connection of the shard and answers with a
 * {@link ShardOutcome}. A topic rule's output can never have this shape (it always has
 * {@code topic} and {@code receivedAt}), so a device cannot pass a reading off as a shard.
 */
public record ShardEvent(List<String> frames, List<String> connectionIds) {

    public static final String FIELD = "shard";
    static final String FRAMES = "frames";
    static final String CONNECTION_IDS = "connectionIds";

    public ShardEvent {
        frames = List.copyOf(frames);
        connectionIds = List.copyOf(connectionIds);
    }

    /** The event as JSON-ready maps. */
    public Map<String, Object> toEvent() {
        return Map.of(FIELD, Map.of(FRAMES, frames, CONNECTION_IDS, connectionIds));
    }

    /** The shard this event carries, or {@code null} when it is anything else. */
    public static ShardEvent from(Map<String, ?> event) {
        if (event == null || event.size() != 1 || !(event.get(FIELD) instanceof Map<?, ?> body)) {
            return null;
        }
        List<String> frames = EventFields.strings(body.get(FRAMES));
        List<String> ids = EventFields.strings(body.get(CONNECTION_IDS));
        return frames == null || ids == null ? null : new ShardEvent(frames, ids);
    }
}
