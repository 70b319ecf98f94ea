package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.List;

/**
 * Takes over the connections a broadcast had no time left for: the same payload, posted to them by
 * another invocation (on AWS an asynchronous invocation of the fan-out function, with its retries
 * and its on-failure destination).
 */
@FunctionalInterface
public interface Continuation {

    /**
     * @param payload the envelope, exactly as posted to the others
     * @param connectionIds the connections still to post it to
     * @param context the invocation handing over; its ARN names the target when none is configured
     */
    void handOver(String payload, List<String> connectionIds, Context context);
}
