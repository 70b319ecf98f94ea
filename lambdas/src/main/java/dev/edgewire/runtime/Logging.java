package dev.edgewire.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Runs one invocation with the Lambda request id and function fields in every structured log
 * line: they go into the MDC, which the JSON layout ({@code log4j2.xml}) writes as top-level fields.
 */
public final class Logging {

    public static final String REQUEST_ID = "function_request_id";
    static final String FUNCTION_NAME = "function_name";
    static final String FUNCTION_VERSION = "function_version";
    static final String FUNCTION_ARN = "function_arn";
    static final String MEMORY_SIZE = "function_memory_size";
    static final String COLD_START = "cold_start";
    static final String TRACE_ID = "xray_trace_id";

    private static final AtomicBoolean COLD = new AtomicBoolean(true);

    private Logging() {
    }

    /** Local mode and tests may invoke without a Lambda context; then the lines carry no request fields. */
    public static <T> T withContext(Context context, Supplier<T> invocation) {
        return withContext(context, invocation, true);
    }

    /**
     * As {@link #withContext(Context, Supplier)} for SnapStart priming, which runs a handler before the
     * snapshot: its lines carry the fields, but it is no invocation, so the first real one is still the
     * cold start ({@value #COLD_START} true).
     */
    public static <T> T whilePriming(Context context, Supplier<T> invocation) {
        return withContext(context, invocation, false);
    }

    private static <T> T withContext(Context context, Supplier<T> invocation, boolean invoked) {
        if (context == null) {
            return invocation.get();
        }
        MDC.put(REQUEST_ID, context.getAwsRequestId());
        MDC.put(FUNCTION_NAME, context.getFunctionName());
        MDC.put(FUNCTION_VERSION, context.getFunctionVersion());
        MDC.put(FUNCTION_ARN, context.getInvokedFunctionArn());
        MDC.put(MEMORY_SIZE, Integer.toString(context.getMemoryLimitInMB()));
        MDC.put(COLD_START, Boolean.toString(invoked ? COLD.getAndSet(false) : COLD.get()));
        String trace = System.getProperty("com.amazonaws.xray.traceHeader", System.getenv("_X_AMZN_TRACE_ID"));
        if (trace != null) {
            MDC.put(TRACE_ID, trace);
        }
        try {
            return invocation.get();
        } finally {
            MDC.clear();
        }
    }
}
