package dev.edgewire.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.function.Supplier;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/** Runs one invocation with the request id and function fields in every structured log line. */
public final class Logging {

    private Logging() {
    }

    /** Local mode and tests may invoke without a Lambda context; then the lines carry no request fields. */
    public static <T> T withContext(Context context, Supplier<T> invocation) {
        if (context == null) {
            return invocation.get();
        }
        return PowertoolsLogging.withLogging(context, invocation);
    }
}
