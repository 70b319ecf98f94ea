package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.edgewire.runtime.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Runs a shard in a synchronous invocation of the fan-out function: Lambda's {@code Invoke}
 * ({@code POST /2015-03-31/functions/{FunctionName}/invocations}) with the default
 * {@code RequestResponse} invocation type, whose answer is the function's return value; a function
 * that threw answers 200 with an {@code X-Amz-Function-Error} header (Lambda API Reference,
 * "Invoke"). One signed request as {@link LambdaContinuation} sends, on an HTTP client whose read
 * timeout outlasts the worker. Throttling (429) and Lambda's 5xx are retried by the SDK's standard
 * strategy; a function error is not, since the worker may have posted part of its shard.
 */
public final class LambdaWorkers implements Workers {

    private static final String FUNCTION_ERROR = "X-Amz-Function-Error";
    private static final TypeReference<Map<String, Object>> ANSWER = new TypeReference<>() { };

    private final SignedCall call;
    private final URI endpoint;
    private final String targetArn;

    /**
     * @param http its read timeout must outlast the worker's time limit
     * @param targetArn the function (alias) to invoke; {@code null} for the invoking function itself
     */
    public LambdaWorkers(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                         Region region, URI endpoint, String targetArn) {
        this.call = new SignedCall(http, credentials, region, "lambda", "Lambda", AwsRetryStrategy.standardRetryStrategy());
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.targetArn = targetArn;
    }

    @Override
    public ShardOutcome deliver(ShardEvent shard, Context context) {
        String target = targetArn != null ? targetArn : context.getInvokedFunctionArn();
        byte[] body = Json.write(shard.toEvent()).getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .encodedPath("/2015-03-31/functions/" + SdkHttpUtils.urlEncode(target) + "/invocations")
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        SignedCall.Answer answer = call.execute(request, body, LambdaWorkers::error);
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

    private static SdkException error(int status, AwsErrorDetails details, String message) {
        return AwsServiceException.builder().statusCode(status).awsErrorDetails(details).message(message).build();
    }

    private static String shorten(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
