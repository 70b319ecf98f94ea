package dev.edgewire.broadcast;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
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

/**
 * One AWS API call as a SigV4-signed request on the SDK's HTTP client, without a generated
 * client's request pipeline: the SDK's signer, the SDK's retry strategy (throttling, 5xx and I/O
 * failures, with its backoff and retry quota), and an error answer turned into the exception the
 * generated client would throw, by {@link Errors}.
 */
final class SignedCall {

    /** Turns an error answer into the service's exception. */
    @FunctionalInterface
    interface Errors {
        SdkException error(int status, AwsErrorDetails details, String message);
    }

    /** A successful answer: its status line and headers, and its body as text. */
    record Answer(SdkHttpResponse response, String body) {
    }

    private static final String ERROR_TYPE = "x-amzn-ErrorType";
    private static final int MAX_ERROR_BODY = 4 * 1024;
    /** The most of a successful answer's body that is read; the rest is drained. */
    private static final int MAX_ANSWER_BODY = 1024 * 1024;

    private final SdkHttpClient http;
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final Region region;
    private final String signingName;
    private final String serviceName;
    private final RetryStrategy retries;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    SignedCall(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials, Region region,
               String signingName, String serviceName, RetryStrategy retries) {
        this.http = Objects.requireNonNull(http, "http");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.region = Objects.requireNonNull(region, "region");
        this.signingName = Objects.requireNonNull(signingName, "signingName");
        this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
        this.retries = Objects.requireNonNull(retries, "retries");
    }

    /** Sends {@code request} with {@code body}, retrying as the SDK would; returns the answer once it succeeded. */
    Answer execute(SdkHttpRequest request, byte[] body, Errors errors) {
        RetryToken token = retries.acquireInitialToken(AcquireInitialTokenRequest.create(serviceName)).token();
        while (true) {
            try {
                Answer answer = send(request, body, errors);
                retries.recordSuccess(RecordSuccessRequest.create(token));
                return answer;
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

    private Answer send(SdkHttpRequest request, byte[] body, Errors errors) {
        AwsCredentialsIdentity identity = credentials.resolveIdentity().join();
        SdkHttpRequest signed = signer.sign(r -> r.identity(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
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
        String text = readAndClose(response, status.isSuccessful() ? MAX_ANSWER_BODY : MAX_ERROR_BODY);
        if (status.isSuccessful()) {
            return new Answer(status, text);
        }
        String errorCode = status.firstMatchingHeader(ERROR_TYPE).map(t -> t.split(":", 2)[0]).orElse(null);
        AwsErrorDetails details = AwsErrorDetails.builder()
                .errorCode(errorCode)
                .errorMessage(text)
                .serviceName(serviceName)
                .sdkHttpResponse(status)
                .build();
        String message = (text.isEmpty() ? "HTTP " + status.statusCode() : text)
                + " (Service: " + serviceName + ", Status Code: " + status.statusCode() + ")";
        throw errors.error(status.statusCode(), details, message);
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
