package dev.edgewire.broadcast;

import java.net.URI;
import java.util.Objects;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ApiGatewayManagementApiException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * {@code POST @connections/{id}} as one SigV4-signed request on the SDK's HTTP client, without the
 * generated client's request pipeline (interceptors, endpoint rules, marshalling, metrics), which
 * costs several times the signing and the I/O of so small a request. A broadcast makes thousands
 * of them, so that CPU is most of a fan-out invocation's bill. What the pipeline gave and a post
 * needs is kept ({@link SignedCall}): the SDK's SigV4 signer with the same settings, the SDK's
 * standard retry strategy, and the same exceptions as
 * {@code ApiGatewayManagementApiClient.postToConnection} for every error answer.
 */
public final class SignedConnectionPoster implements ConnectionPoster {

    static final String SIGNING_NAME = "execute-api";
    private static final String SERVICE_NAME = "ApiGatewayManagementApi";
    private static final int HTTP_GONE = 410;

    private final URI callbackUrl;
    private final String connectionsPath;
    private final SignedCall call;

    /**
     * @param callbackUrl the stage's management endpoint, {@code https://{api-id}.execute-api.{region}.amazonaws.com/{stage}}
     */
    public SignedConnectionPoster(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                                  Region region, URI callbackUrl) {
        this(http, credentials, region, callbackUrl, AwsRetryStrategy.standardRetryStrategy());
    }

    SignedConnectionPoster(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                           Region region, URI callbackUrl, RetryStrategy retries) {
        this.callbackUrl = Objects.requireNonNull(callbackUrl, "callbackUrl");
        String stagePath = callbackUrl.getRawPath() == null ? "" : callbackUrl.getRawPath();
        this.connectionsPath = (stagePath.endsWith("/") ? stagePath : stagePath + "/") + "@connections/";
        this.call = new SignedCall(http, credentials, region, SIGNING_NAME, SERVICE_NAME, retries);
    }

    @Override
    public void post(String connectionId, SdkBytes data) {
        Objects.requireNonNull(connectionId, "connectionId");
        byte[] body = data.asByteArrayUnsafe();
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(callbackUrl)
                .encodedPath(connectionsPath + SdkHttpUtils.urlEncode(connectionId))
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        call.execute(request, body, SignedConnectionPoster::error);
    }

    private static SdkException error(int status, AwsErrorDetails details, String message) {
        if (status == HTTP_GONE) {
            return GoneException.builder().statusCode(HTTP_GONE).awsErrorDetails(details).message(message).build();
        }
        return ApiGatewayManagementApiException.builder().statusCode(status).awsErrorDetails(details)
                .message(message).build();
    }
}
