package dev.edgewire.standins.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.edgewire.contract.Topology.Function;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Lambda's {@link Context} as the runtime passes it to a handler: the request id, the function's
 * name, ARN and memory, and the time left before the function's timeout. Local mode gives one to each
 * invocation ({@link #of}); tests use fixed values ({@link #LambdaContext()}).
 */
public record LambdaContext(String awsRequestId, String functionName, String invokedFunctionArn, int memoryLimitMb,
                            IntSupplier remainingMillis, Consumer<String> log) implements Context {

    /** The account id and region in local ARNs. */
    public static final String LOCAL_ACCOUNT = "000000000000";
    public static final String LOCAL_REGION = "local";
    private static final String TEST_ARN_PREFIX = "arn:aws:lambda:eu-west-1:123456789012:function:";
    private static final int TEST_REMAINING_MILLIS = 30_000;
    private static final int TEST_MEMORY_MB = 512;

    /** A test context: a fixed request id and function name, 30 s left. */
    public LambdaContext() {
        this("c6af9ac6-7b61-11e6-9a41-93e812345678", "edgewire-test");
    }

    /** A test context with this request id and function name, 30 s left. */
    public LambdaContext(String awsRequestId, String functionName) {
        this(awsRequestId, functionName, () -> TEST_REMAINING_MILLIS);
    }

    /** A test context whose remaining time is asked of {@code remainingMillis} each time. */
    public LambdaContext(String awsRequestId, String functionName, IntSupplier remainingMillis) {
        this(awsRequestId, functionName, TEST_ARN_PREFIX + functionName, TEST_MEMORY_MB, remainingMillis,
                System.out::println);
    }

    /** The default test context with {@code remainingMillis} left, asked each time. */
    public static LambdaContext withRemainingMillis(IntSupplier remainingMillis) {
        LambdaContext defaults = new LambdaContext();
        return new LambdaContext(defaults.awsRequestId(), defaults.functionName(), remainingMillis);
    }

    /**
     * The context of one invocation of {@code function}, started now: its time runs out after the
     * function's timeout; the runtime's logger writes to {@code log}.
     */
    public static LambdaContext of(Function function, String requestId, Consumer<String> log) {
        long deadline = System.currentTimeMillis() + function.timeoutSeconds() * 1000L;
        return new LambdaContext(requestId, functionName(function), functionArn(function), function.memoryMb(),
                () -> (int) Math.max(0, deadline - System.currentTimeMillis()), log);
    }

    /** The name a function has in the stack and in local mode: {@code edgewire-<id>}. */
    public static String functionName(Function function) {
        return "edgewire-" + function.id();
    }

    /** The unqualified ARN of a local function; its handler sees it as the invoked function ARN. */
    public static String functionArn(Function function) {
        return "arn:aws:lambda:" + LOCAL_REGION + ":" + LOCAL_ACCOUNT + ":function:" + functionName(function);
    }

    @Override
    public String getAwsRequestId() {
        return awsRequestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return invokedFunctionArn;
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
        return remainingMillis.getAsInt();
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryLimitMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                LambdaContext.this.log.accept(message.stripTrailing());
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
