package dev.edgewire.auth;

import dev.edgewire.contract.Tokens;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.standins.cloud.CloudStandIn.SecretRequest;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.testing.EmfDocuments;
import dev.edgewire.testing.MutableClock;
import dev.edgewire.standins.lambda.LambdaContext;
import dev.edgewire.contract.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The authorizer with its keys read by the real SDK client over HTTP from a Secrets Manager stand-in
 * that checks each request's signature and moves the version labels as PutSecretValue does.
 */
class SecretsManagerKeyIT {

    private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-key-AbCdEf";
    private static final String FIRST = "first-token-key-0123456789abcdefghijklmnop";
    private static final String SECOND = "second-token-key-0123456789abcdefghijklmno";
    private static final String THIRD = "third-token-key-0123456789abcdefghijklmnop";

    private final MutableClock clock = new MutableClock(Instant.now());
    private CloudStandIn secretsManager;
    private SecretsManagerClient client;
    private TokenAuthorizer authorizer;

    @BeforeEach
    void start() throws Exception {
        secretsManager = new CloudStandIn();
        var credentials = AwsBasicCredentials.create("local", "local");
        secretsManager.verifySignatures(credentials);
        client = SecretsManagerClient.builder()
                .endpointOverride(secretsManager.secretsManagerEndpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        authorizer = new TokenAuthorizer(new SecretsManagerKey(() -> client, ARN, clock), clock, new EmfDocuments().metrics());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (secretsManager != null) {
            secretsManager.close();
        }
    }

    @Test
    void keys_areAskedForByArnAndStage_andASecretWithoutAwsPreviousStillVerifies() {
        secretsManager.serveSecret(FIRST);

        assertThat(effect(tokenSignedWith(FIRST))).isEqualTo(IamPolicyResponseV1.ALLOW);

        assertThat(secretsManager.secretRequests()).containsExactly(
                new SecretRequest(ARN, "AWSCURRENT", null), new SecretRequest(ARN, "AWSPREVIOUS", null));
        assertThat(secretsManager.verifiedSignatures()).isEqualTo(2);
    }

    @Test
    void aRotation_reachesTheAuthorizerWithinFiveMinutes_andTheKeyItReplacedWorksUntilTheNextOne() {
        secretsManager.serveSecret(FIRST);
        String first = tokenSignedWith(FIRST);
        String second = tokenSignedWith(SECOND);
        String third = tokenSignedWith(THIRD);
        assertThat(effect(first)).isEqualTo(IamPolicyResponseV1.ALLOW);

        secretsManager.rotateSecret(SECOND);
        clock.advance(Duration.ofMinutes(4));
        assertThat(effect(second)).isEqualTo(IamPolicyResponseV1.DENY);
        clock.advance(Duration.ofMinutes(1));
        assertThat(effect(second)).isEqualTo(IamPolicyResponseV1.ALLOW);
        assertThat(effect(first)).isEqualTo(IamPolicyResponseV1.ALLOW);

        secretsManager.rotateSecret(THIRD);
        clock.advance(Duration.ofMinutes(5));
        assertThat(effect(third)).isEqualTo(IamPolicyResponseV1.ALLOW);
        assertThat(effect(second)).isEqualTo(IamPolicyResponseV1.ALLOW);
        assertThat(effect(first)).isEqualTo(IamPolicyResponseV1.DENY);

        assertThat(secretsManager.secretRequests()).hasSize(6); // two per read: at 0, 5 and 10 minutes
    }

    private String tokenSignedWith(String key) {
        return Tokens.mint(key.getBytes(StandardCharsets.UTF_8), "it-user", Tokens.Grant.ALL, Duration.ofHours(1), clock);
    }

    private String effect(String token) {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);
        Map<String, String> query = new HashMap<>(event.getQueryStringParameters());
        query.put(Topology.TOKEN_QUERY_PARAMETER, token);
        event.setQueryStringParameters(query);
        IamPolicyResponseV1 response = authorizer.handleRequest(event, new LambdaContext());
        @SuppressWarnings("unchecked")
        Map<String, Object>[] statements = (Map<String, Object>[]) response.getPolicyDocument().get("Statement");
        return (String) statements[0].get("Effect");
    }
}
