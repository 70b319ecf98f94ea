package dev.edgewire.telemetry;

import dev.edgewire.broadcast.Workers;
import java.util.Objects;

/**
 * When and how the fan-out splits a large audience: above {@code shardSize} connections it hands
 * each (frames, up to {@code shardSize} connections) to a worker invocation, at most
 * {@code inFlight} at once, and waits for them, so delivery time stays flat as watchers grow,
 * bounded by concurrency rather than by one function's time limit.
 */
public record Sharding(Workers workers, int shardSize, int inFlight) {

    /** Never splits: every post from the invocation itself (tests of delivery alone). */
    public static final Sharding NONE = new Sharding((shard, context) -> {
        throw new IllegalStateException("this fan-out does not shard");
    }, Integer.MAX_VALUE, 1);

    public Sharding {
        Objects.requireNonNull(workers, "workers");
        if (shardSize < 1 || inFlight < 1) {
            throw new IllegalArgumentException("shardSize and inFlight must be at least 1, were " + shardSize + " and " + inFlight);
        }
    }
}
