package dev.edgewire.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * A Lambda context with fixed values, as the runtime would pass one; its remaining time is 30 s
 * unless a test says otherwise (an invocation nearing its limit).
 */
public record TestContext(String awsRequestId, String functionName, IntSupplier remainingMillis) implements Context {

    public TestContext() {
        this("c6af9ac6-7b61-11e6-9a41-93e812345678", "edgewire-test");
    }

    public TestContext(String awsRequestId, String functionName) {
        this(awsRequestId, functionName, () -> 30_000);
    }

    /** The default context with {@code remainingMillis} left, asked each time. */
    public static TestContext withRemainingMillis(IntSupplier remainingMillis) {
        TestContext defaults = new TestContext();
        return new TestContext(defaults.awsRequestId(), defaults.functionName(), remainingMillis);
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
        return "2026/11/29/[$LATEST]0123456789abcdef";
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
        return "arn:aws:lambda:eu-west-1:123456789012:function:" + functionName;
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
        return 512;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.out.print(message);
            }

            @Override
            public void log(byte[] message) {
                System.out.print(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
