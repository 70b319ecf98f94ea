package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.standins.cloud.CloudStandIn;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ApiGatewayManagementApiException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/** Against a real HTTP server that checks every SigV4 signature the way API Gateway does. */
class SignedConnectionPosterTest {

    private static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static final SdkBytes DATA = SdkBytes.fromUtf8String("{\"type\":\"message\",\"message\":\"hi\"}");
    /** The SDK's standard strategy without its waits, so retries take no time here. */
    private static final RetryStrategy NO_WAIT = AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .backoffStrategy(BackoffStrategy.retryImmediately())
            .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
            .build();

    private CloudStandIn api;
    private SdkHttpClient http;

    @BeforeEach
    void start() throws Exception {
        api = new CloudStandIn();
        api.verifySignatures(CREDENTIALS);
        http = UrlConnectionHttpClient.create();
    }

    @AfterEach
    void stop() {
        http.close();
        api.close();
    }

    private SignedConnectionPoster poster(StaticCredentialsProvider credentials) {
        return new SignedConnectionPoster(http, credentials, Region.EU_WEST_1, api.callbackUrl(), NO_WAIT);
    }

    @Test
    void postsTheDataToTheConnection_withASignatureTheServerAccepts() {
        // Real connection ids end in '=' and may hold '+' and '/': all must be encoded in the path and signed so.
        String id = "L0SM9cOFvHcCIhw+/a=";

        poster(StaticCredentialsProvider.create(CREDENTIALS)).post(id, DATA);

        assertThat(api.postsById()).containsOnlyKeys(id);
        assertThat(api.postsById().get(id)).containsExactly(DATA.asUtf8String());
        assertThat(api.verifiedSignatures()).isEqualTo(1);
    }

    @Test
    void sendsTheSameRequestAsTheGeneratedClient_asfarAsTheServerCanTell() {
        try (ApiGatewayManagementApiClient client = ApiGatewayManagementApiClient.builder()
                .endpointOverride(api.callbackUrl()).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(CREDENTIALS)).httpClient(http).build()) {
            client.postToConnection(b -> b.connectionId("sdk=").data(DATA));
        }
        poster(StaticCredentialsProvider.create(CREDENTIALS)).post("signed=", DATA);

        assertThat(api.verifiedSignatures()).isEqualTo(2);
        assertThat(api.postsById().get("sdk=")).isEqualTo(api.postsById().get("signed="));
    }

    @Test
    void signsWithTemporaryCredentials_includingTheSessionToken() {
        var session = StaticCredentialsProvider.create(
                AwsSessionCredentials.create(CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey(), "FwoGZXIvYXdzEXAMPLE"));

        poster(session).post("a=", DATA);

        assertThat(api.verifiedSignatures()).isEqualTo(1);
        assertThat(api.lastSignedHeaders()).contains("host", "x-amz-date", "x-amz-security-token");
    }

    @Test
    void aWrongSecretIsRefusedByTheServer_andNotRetried() {
        var wrong = StaticCredentialsProvider.create(AwsBasicCredentials.create(CREDENTIALS.accessKeyId(), "not-the-secret"));

        assertThatThrownBy(() -> poster(wrong).post("a=", DATA))
                .isInstanceOfSatisfying(ApiGatewayManagementApiException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                    assertThat(e.getMessage()).contains("signature", "Status Code: 403");
                });
        assertThat(api.postsById()).isEmpty();
    }

    @Test
    void aGoneConnectionRaisesGoneException_asTheGeneratedClientDoes() {
        api.markGone("gone=");

        assertThatThrownBy(() -> poster(StaticCredentialsProvider.create(CREDENTIALS)).post("gone=", DATA))
                .isInstanceOfSatisfying(GoneException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(410);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("GoneException");
                });
    }

    @Test
    void throttlingAndServerErrorsAreRetried_thenDelivered() {
        api.answerNextPosts(1, 429, "LimitExceededException");
        api.answerNextPosts(1, 503, "ServiceUnavailableException");

        poster(StaticCredentialsProvider.create(CREDENTIALS)).post("a=", DATA);

        assertThat(api.postsById().get("a=")).containsExactly(DATA.asUtf8String());
        assertThat(api.verifiedSignatures()).isEqualTo(3);
    }

    @Test
    void afterTheLastAttemptTheServerErrorIsRaised() {
        api.answerNextPosts(NO_WAIT.maxAttempts(), 500, "InternalServerErrorException");

        assertThatThrownBy(() -> poster(StaticCredentialsProvider.create(CREDENTIALS)).post("a=", DATA))
                .isInstanceOfSatisfying(ApiGatewayManagementApiException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(500));
        assertThat(api.verifiedSignatures()).isEqualTo(NO_WAIT.maxAttempts());
        assertThat(api.postsById()).isEmpty();
    }

    @Test
    void anUnreachableEndpointIsAClientException() {
        var nowhere = new SignedConnectionPoster(http, StaticCredentialsProvider.create(CREDENTIALS), Region.EU_WEST_1,
                URI.create("http://127.0.0.1:1/demo"), NO_WAIT);

        assertThatThrownBy(() -> nowhere.post("a=", DATA)).isInstanceOf(SdkClientException.class)
                .hasMessageContaining("Unable to execute HTTP request");
    }
}
