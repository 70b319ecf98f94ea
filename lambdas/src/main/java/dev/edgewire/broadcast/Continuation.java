package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.List;

/**
 * Takes over the connections a broadcast had no time left for, or whose posts failed: the same
 * payload, posted to them by another invocation (on AWS an asynchronous invocation of the fan-out
 * function, with its retries and its on-failure destination).
 */
@FunctionalInterface
public interface Continuation {

    /**
     * @param payload the envelope, exactly as posted to the others
     * @param connectionIds the connections still to post it to
     * @param attempt which attempt at these connections the new invocation makes, from 1
     *     ({@link ContinuationEvent#MAX_ATTEMPTS} at most)
     * @param context the invocation handing over; its ARN names the target when none is configured
     */
    void handOver(String payload, List<String> connectionIds, int attempt, Context context);
}
