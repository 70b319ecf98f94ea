package dev.edgewire.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.function.IntSupplier;

/** A {@link TestContext} whose remaining time is whatever the test says, as an invocation nearing its limit. */
public final class ExpiringContext implements Context {

    private final Context context = new TestContext();
    private final IntSupplier remainingMillis;

    public ExpiringContext(IntSupplier remainingMillis) {
        this.remainingMillis = remainingMillis;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return remainingMillis.getAsInt();
    }

    @Override
    public String getAwsRequestId() {
        return context.getAwsRequestId();
    }

    @Override
    public String getLogGroupName() {
        return context.getLogGroupName();
    }

    @Override
    public String getLogStreamName() {
        return context.getLogStreamName();
    }

    @Override
    public String getFunctionName() {
        return context.getFunctionName();
    }

    @Override
    public String getFunctionVersion() {
        return context.getFunctionVersion();
    }

    @Override
    public String getInvokedFunctionArn() {
        return context.getInvokedFunctionArn();
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
    public int getMemoryLimitInMB() {
        return context.getMemoryLimitInMB();
    }

    @Override
    public LambdaLogger getLogger() {
        return context.getLogger();
    }
}
