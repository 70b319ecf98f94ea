package dev.edgewire.broadcast;

import java.util.List;
import java.util.Map;

/**
 * What a worker did with its shard: posts API Gateway accepted, the connections it found gone
 * (their rows deleted), and the posts it handed over to continuations (out of time, or failed and
 * to be tried again), as {@code {"delivered":n,"goneConnectionIds":[...],"handedOver":n}}.
 */
public record ShardOutcome(int delivered, List<String> goneConnectionIds, int handedOver) {

    public ShardOutcome {
        goneConnectionIds = List.copyOf(goneConnectionIds);
    }

    /** The answer as JSON-ready maps. */
    public Map<String, Object> toAnswer() {
        return Map.of("delivered", delivered, "goneConnectionIds", goneConnectionIds, "handedOver", handedOver);
    }

    /** The outcome in a worker's answer, or {@code null} when the answer is not one. */
    public static ShardOutcome from(Map<?, ?> answer) {
        if (answer == null || !(answer.get("delivered") instanceof Number delivered)
                || !(answer.get("handedOver") instanceof Number handedOver)) {
            return null;
        }
        List<String> ids = EventFields.strings(answer.get("goneConnectionIds"));
        if (ids == null) {
            return null;
        }
        return new ShardOutcome(delivered.intValue(), ids, handedOver.intValue());
    }
}
