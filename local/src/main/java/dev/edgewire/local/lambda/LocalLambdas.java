package dev.edgewire.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.edgewire.contract.Topology.Function;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.standins.lambda.LambdaContext;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions of the cloud side, running in this JVM: the very handler classes Lambda runs, called
 * with events shaped as API Gateway and IoT send them and a {@link Context} like Lambda's. Every
 * invocation, whoever makes it (a route, the event source mapping, an asynchronous invocation and each
 * of its retries), is counted by the {@link CostMeter} with the time its handler ran.
 */
public final class LocalLambdas {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLambdas.class);

    private final Map<Function, RequestHandler<Object, Object>> handlers = new EnumMap<>(Function.class);
    private final CostMeter meter;

    @SuppressWarnings("unchecked")
    public LocalLambdas(Map<Function, ?> handlers, CostMeter meter) {
        this.meter = meter;
        handlers.forEach((function, handler) -> {
            if (!(handler instanceof RequestHandler<?, ?>)) {
                throw new IllegalArgumentException(function + " is not a RequestHandler: " + handler);
            }
            this.handlers.put(function, (RequestHandler<Object, Object>) handler);
        });
    }

    /** Invokes a function synchronously, as API Gateway does; the handler's exception reaches the caller. */
    public Object invoke(Function function, Object event) {
        return invoke(function, event, UUID.randomUUID().toString());
    }

    /**
     * Invokes a function with the request id of its event: Lambda keeps one request id for every attempt
     * of an asynchronous invocation.
     */
    public Object invoke(Function function, Object event, String requestId) {
        RequestHandler<Object, Object> handler = handlers.get(function);
        if (handler == null) {
            throw new IllegalStateException("no handler for " + function);
        }
        Context context = LambdaContext.of(function, requestId, message -> LOG.info("[{}] {}", function.id(), message));
        long started = System.nanoTime();
        try {
            return handler.handleRequest(event, context);
        } finally {
            // Lambda bills a failed invocation like any other.
            meter.lambdaInvocation(function, System.nanoTime() - started);
        }
    }

    /** The unqualified ARN local mode gives a function (its handlers see it as the invoked function ARN). */
    public static String functionArn(Function function) {
        return LambdaContext.functionArn(function);
    }
}
