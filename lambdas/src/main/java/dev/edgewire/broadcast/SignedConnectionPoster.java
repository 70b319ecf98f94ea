package dev.edgewire.broadcast;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ApiGatewayManagementApiException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * {@code POST @connections/{id}} as one SigV4-signed request on the SDK's HTTP client, without the
 * generated client's request pipeline (interceptors, endpoint rules, marshalling, metrics), which
 * costs several times the signing and the I/O of so small a request. A broadcast makes thousands
 * of them, so that CPU is most of a fan-out invocation's bill. What the pipeline gave and a post
 * needs is kept: the SDK's SigV4 signer with the same settings, the SDK's standard retry strategy
 * (throttling, 5xx and I/O failures, with its backoff and retry quota), and the same exceptions as
 * {@code ApiGatewayManagementApiClient.postToConnection} for every error answer.
 */
public final class SignedConnectionPoster implements ConnectionPoster {

    static final String SIGNING_NAME = "execute-api";
    private static final String SERVICE_NAME = "ApiGatewayManagementApi";
    private static final String ERROR_TYPE = "x-amzn-ErrorType";
    private static final int HTTP_GONE = 410;
    private static final int MAX_ERROR_BODY = 4 * 1024;

    private final SdkHttpClient http;
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final Region region;
    private final URI callbackUrl;
    private final String connectionsPath;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final RetryStrategy retries;

    /**
     * @param callbackUrl the stage's management endpoint, {@code https://{api-id}.execute-api.{region}.amazonaws.com/{stage}}
     */
    public SignedConnectionPoster(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                                  Region region, URI callbackUrl) {
        this(http, credentials, region, callbackUrl, AwsRetryStrategy.standardRetryStrategy());
    }

    SignedConnectionPoster(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                           Region region, URI callbackUrl, RetryStrategy retries) {
        this.http = Objects.requireNonNull(http, "http");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.region = Objects.requireNonNull(region, "region");
        this.callbackUrl = Objects.requireNonNull(callbackUrl, "callbackUrl");
        String stagePath = callbackUrl.getRawPath() == null ? "" : callbackUrl.getRawPath();
        this.connectionsPath = (stagePath.endsWith("/") ? stagePath : stagePath + "/") + "@connections/";
        this.retries = Objects.requireNonNull(retries, "retries");
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
        RetryToken token = retries.acquireInitialToken(AcquireInitialTokenRequest.create(SERVICE_NAME)).token();
        while (true) {
            try {
                send(request, body);
                retries.recordSuccess(RecordSuccessRequest.create(token));
                return;
            } catch (SdkException failure) {
                RefreshRetryTokenResponse retry;
                try {
                    retry = retries.refreshRetryToken(RefreshRetryTokenRequest.builder().token(token).failure(failure).build());
                } catch (TokenAcquisitionFailedException notRetried) {
                    throw failure;
                }
                token = retry.token();
                pause(retry.delay(), failure);
            }
        }
    }

    private void send(SdkHttpRequest request, byte[] body) {
        AwsCredentialsIdentity identity = credentials.resolveIdentity().join();
        SdkHttpRequest signed = signer.sign(r -> r.identity(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id())).request();
        HttpExecuteResponse response;
        try {
            response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed)
                    .contentStreamProvider(ContentStreamProvider.fromByteArrayUnsafe(body))
                    .build()).call();
        } catch (IOException e) {
            throw SdkClientException.create("Unable to execute HTTP request: " + e.getMessage(), e);
        }
        SdkHttpResponse status = response.httpResponse();
        String errorBody = readAndClose(response, status.isSuccessful() ? 0 : MAX_ERROR_BODY);
        if (status.isSuccessful()) {
            return;
        }
        String errorCode = status.firstMatchingHeader(ERROR_TYPE).map(t -> t.split(":", 2)[0]).orElse(null);
        AwsErrorDetails details = AwsErrorDetails.builder()
                .errorCode(errorCode)
                .errorMessage(errorBody)
                .serviceName(SERVICE_NAME)
                .sdkHttpResponse(status)
                .build();
        String message = (errorBody.isEmpty() ? "HTTP " + status.statusCode() : errorBody)
                + " (Service: " + SERVICE_NAME + ", Status Code: " + status.statusCode() + ")";
        if (status.statusCode() == HTTP_GONE) {
            throw GoneException.builder().statusCode(HTTP_GONE).awsErrorDetails(details).message(message).build();
        }
        throw ApiGatewayManagementApiException.builder().statusCode(status.statusCode()).awsErrorDetails(details)
                .message(message).build();
    }

    /** Reads up to {@code limit} bytes of the body as text and closes it, so the connection goes back to the pool. */
    private static String readAndClose(HttpExecuteResponse response, int limit) {
        if (response.responseBody().isEmpty()) {
            return "";
        }
        try (InputStream in = response.responseBody().get()) {
            byte[] head = in.readNBytes(limit);
            in.transferTo(OutputStream.nullOutputStream());
            return new String(head, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void pause(Duration delay, SdkException failure) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.addSuppressed(e);
            throw failure;
        }
    }
}
