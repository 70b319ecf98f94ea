package dev.edgewire.local.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.edgewire.contract.Topology.Function;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions of the cloud side, running in this JVM: the very handler classes Lambda runs, called
 * with events shaped as API Gateway and IoT send them and a {@link Context} like Lambda's.
 */
public final class LocalLambdas {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLambdas.class);

    private final Map<Function, RequestHandler<Object, Object>> handlers = new EnumMap<>(Function.class);

    @SuppressWarnings("unchecked")
    public LocalLambdas(Map<Function, ?> handlers) {
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
        return handler.handleRequest(event, new LocalContext(function, requestId));
    }

    /** The unqualified ARN local mode gives a function (its handlers see it as the invoked function ARN). */
    public static String functionArn(Function function) {
        return "arn:aws:lambda:local:000000000000:function:" + functionName(function);
    }

    static String functionName(Function function) {
        return "edgewire-" + function.id();
    }

    /** Lambda's {@link Context} for a local invocation. */
    static final class LocalContext implements Context {
        private final Function function;
        private final String requestId;
        private final long deadline;

        LocalContext(Function function, String requestId) {
            this.function = function;
            this.requestId = requestId;
            this.deadline = System.currentTimeMillis() + function.timeoutSeconds() * 1000L;
        }

        @Override
        public String getAwsRequestId() {
            return requestId;
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/edgewire-" + function.id();
        }

        @Override
        public String getLogStreamName() {
            return "local";
        }

        @Override
        public String getFunctionName() {
            return functionName(function);
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return functionArn(function);
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return (int) Math.max(0, deadline - System.currentTimeMillis());
        }

        @Override
        public int getMemoryLimitInMB() {
            return function.memoryMb();
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    LOG.info("[{}] {}", function.id(), message.stripTrailing());
                }

                @Override
                public void log(byte[] message) {
                    log(new String(message, StandardCharsets.UTF_8));
                }
            };
        }
    }
}
