package dev.edgewire.broadcast;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What one broadcast did.
 *
 * @param delivered posts API Gateway accepted
 * @param gone connections API Gateway reported gone (410); their rows were deleted
 * @param failed posts that failed otherwise, after the HTTP client's retries; logged with their connection ids
 * @param goneConnectionIds the ids counted in {@code gone}
 * @param unsent connections not posted to because the deadline passed first, in the order read
 * @param failedConnectionIds the ids counted in {@code failed}
 */
public record BroadcastResult(int delivered, int gone, int failed, Duration duration, Set<String> goneConnectionIds,
                              List<String> unsent, List<String> failedConnectionIds) {

    public BroadcastResult {
        goneConnectionIds = Set.copyOf(goneConnectionIds);
        unsent = List.copyOf(unsent);
        failedConnectionIds = List.copyOf(failedConnectionIds);
    }

    public BroadcastResult(int delivered, int gone, int failed, Duration duration, Set<String> goneConnectionIds) {
        this(delivered, gone, failed, duration, goneConnectionIds, List.of(), List.of());
    }

    public int attempted() {
        return delivered + gone + failed;
    }

    /** The counts, without the ids, for a log line. */
    @Override
    public String toString() {
        return "delivered=" + delivered + " gone=" + gone + " failed=" + failed + " unsent=" + unsent.size()
                + " durationMs=" + duration.toMillis();
    }
}
