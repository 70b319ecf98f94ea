package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.edgewire.runtime.Json;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Runs a shard in a synchronous invocation of the fan-out function: Lambda's {@code Invoke}
 * ({@code POST /2015-03-31/functions/{FunctionName}/invocations}) with the default
 * {@code RequestResponse} invocation type, whose answer is the function's return value; a function
 * that threw answers 200 with an {@code X-Amz-Function-Error} header (Lambda API Reference,
 * "Invoke"), as one signed request ({@link LambdaInvoke}) on an HTTP client whose read timeout
 * outlasts the worker. Throttling (429) and Lambda's 5xx are retried by the SDK's standard
 * strategy; a function error is not, since the worker may have posted part of its shard.
 */
public final class LambdaWorkers implements Workers {

    private static final String FUNCTION_ERROR = "X-Amz-Function-Error";
    private static final TypeReference<Map<String, Object>> ANSWER = new TypeReference<>() { };

    private final LambdaInvoke lambda;

    /**
     * @param http its read timeout must outlast the worker's time limit
     * @param targetArn the function (alias) to invoke; {@code null} for the invoking function itself
     */
    public LambdaWorkers(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                         Region region, URI endpoint, String targetArn) {
        this.lambda = new LambdaInvoke(http, credentials, region, endpoint, targetArn);
    }

    @Override
    public ShardOutcome deliver(ShardEvent shard, Context context) {
        SignedCall.Answer answer = lambda.invoke(shard.toEvent(), null, context);
        var functionError = answer.response().firstMatchingHeader(FUNCTION_ERROR);
        if (functionError.isPresent()) {
            throw new IllegalStateException("the worker for " + shard.connectionIds().size() + " connections failed ("
                    + functionError.get() + "): " + shorten(answer.body()));
        }
        ShardOutcome outcome;
        try {
            outcome = ShardOutcome.from(Json.MAPPER.readValue(answer.body(), ANSWER));
        } catch (IOException | RuntimeException e) {
            outcome = null;
        }
        if (outcome == null) {
            throw new IllegalStateException("the worker answered something that is not a shard outcome: " + shorten(answer.body()));
        }
        return outcome;
    }

    private static String shorten(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
