package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import dev.edgewire.runtime.Json;
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
 * Lambda's {@code Invoke} ({@code POST /2015-03-31/functions/{FunctionName}/invocations}; Lambda API
 * Reference, "Invoke") as one signed request ({@link SignedCall}) rather than through the generated
 * Lambda client, which would add about 2.7 MB to the jar for this one call.
 */
final class LambdaInvoke {

    private final SignedCall call;
    private final URI endpoint;
    private final String targetArn;

    /**
     * @param endpoint Lambda's endpoint, {@code https://lambda.{region}.amazonaws.com}
     * @param targetArn the function (alias) to invoke; {@code null} for the invoking function itself
     */
    LambdaInvoke(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials, Region region,
                 URI endpoint, String targetArn) {
        this.call = new SignedCall(http, credentials, region, "lambda", "Lambda", AwsRetryStrategy.standardRetryStrategy());
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.targetArn = targetArn;
    }

    /** The function invoked: the configured one, else the one {@code context} belongs to. */
    String target(Context context) {
        return targetArn != null ? targetArn : context.getInvokedFunctionArn();
    }

    /**
     * Invokes the target with {@code event}, retrying throttling and Lambda's 5xx as the SDK would.
     *
     * @param invocationType {@code Event} for an asynchronous invocation, {@code null} for Lambda's default, {@code RequestResponse}
     */
    SignedCall.Answer invoke(Map<String, Object> event, String invocationType, Context context) {
        byte[] body = Json.write(event).getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .encodedPath("/2015-03-31/functions/" + SdkHttpUtils.urlEncode(target(context)) + "/invocations")
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Integer.toString(body.length));
        if (invocationType != null) {
            request.putHeader("X-Amz-Invocation-Type", invocationType);
        }
        return call.execute(request.build(), body, LambdaInvoke::error);
    }

    private static SdkException error(int status, AwsErrorDetails details, String message) {
        return AwsServiceException.builder().statusCode(status).awsErrorDetails(details).message(message).build();
    }
}
