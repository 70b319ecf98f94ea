package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;

/**
 * Runs one shard of a broadcast in a worker and waits for its outcome (on AWS a synchronous
 * invocation of the fan-out function: Lambda's {@code Invoke} with the default
 * {@code RequestResponse} invocation type).
 */
@FunctionalInterface
public interface Workers {

    /**
     * @param context the invocation handing the shard out; its ARN names the worker when none is configured
     * @throws RuntimeException when the worker could not run the shard or failed; nothing is known
     *     of which posts it made
     */
    ShardOutcome deliver(ShardEvent shard, Context context);
}
