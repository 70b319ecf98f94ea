package dev.edgewire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import dev.edgewire.testing.Events;
import dev.edgewire.testing.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

class TokenAuthorizerTest {

    /** The key the token in authorizer-connect.json was signed with; a test value, not a secret. */
    private static final byte[] KEY = "edgewire-unit-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    /** The token in the event file was issued at 20:00 and expires at 22:00. */
    private static final Instant BEFORE_EXPIRY = Instant.parse("2026-11-29T21:00:00Z");
    private static final String METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/demo/$connect";

    private static TokenAuthorizer authorizerAt(Instant now) {
        return new TokenAuthorizer(() -> KEY, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void validToken_isAllowedToInvokeTheConnectRoute_asItsSubject() {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);

        IamPolicyResponseV1 response = authorizerAt(BEFORE_EXPIRY).handleRequest(event, new TestContext());

        assertThat(response.getPrincipalId()).isEqualTo("wscat-user");
        assertThat(response.getContext()).containsEntry("subject", "wscat-user");
        assertPolicy(response, IamPolicyResponseV1.ALLOW);
    }

    @Test
    void expiredToken_isDenied() {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);

        IamPolicyResponseV1 response = authorizerAt(Instant.parse("2026-11-29T22:00:00Z")).handleRequest(event, new TestContext());

        assertPolicy(response, IamPolicyResponseV1.DENY);
        assertThat(response.getPrincipalId()).isEqualTo(TokenAuthorizer.ANONYMOUS);
    }

    @Test
    void missingToken_isDenied() {
        var event = Events.load("authorizer-connect-without-token.json", APIGatewayCustomAuthorizerEvent.class);

        assertPolicy(authorizerAt(BEFORE_EXPIRY).handleRequest(event, new TestContext()), IamPolicyResponseV1.DENY);
    }

    @Test
    void noQueryStringAtAll_isDenied() {
        var event = Events.load("authorizer-connect-without-token.json", APIGatewayCustomAuthorizerEvent.class);
        event.setQueryStringParameters(null);

        assertPolicy(authorizerAt(BEFORE_EXPIRY).handleRequest(event, new TestContext()), IamPolicyResponseV1.DENY);
    }

    @Test
    void forgedAndMalformedTokens_areDenied() {
        // A zeroed signature, the valid signature under another subject, and the same token in the
        // v1 form of before issued-at (its signature valid for that form).
        for (String token : List.of("v2.d3NjYXQtdXNlcg.1795982400.1795989600.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "v2.YWRtaW4.1795982400.1795989600.zqLEfWpbXgD6I8eReuco5ugm9tDNdLNGkSRvZ_lTqEo",
                "v1.d3NjYXQtdXNlcg.1795989600.ZTTRc_EiGEuM19QKiW_l2i0LAnkPRjahaD16MGUSTPs", "garbage", "")) {
            assertPolicy(authorizerAt(BEFORE_EXPIRY).handleRequest(withToken(token), new TestContext()), IamPolicyResponseV1.DENY);
        }
    }

    @Test
    void keyFromSecretsManager_isReadOnce_forManyRequests() {
        SecretsManagerClient secrets = mock(SecretsManagerClient.class);
        when(secrets.getSecretValue(any(GetSecretValueRequest.class)))
                .thenReturn(GetSecretValueResponse.builder().secretString(new String(KEY, StandardCharsets.UTF_8)).build());
        var authorizer = new TokenAuthorizer(new SecretsManagerKey(() -> secrets, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-key"),
                Clock.fixed(BEFORE_EXPIRY, ZoneOffset.UTC));
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);

        for (int i = 0; i < 3; i++) {
            assertPolicy(authorizer.handleRequest(event, new TestContext()), IamPolicyResponseV1.ALLOW);
        }

        ArgumentCaptor<GetSecretValueRequest> read = ArgumentCaptor.forClass(GetSecretValueRequest.class);
        verify(secrets, times(1)).getSecretValue(read.capture());
        assertThat(read.getValue().secretId()).isEqualTo("arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-key");
    }

    @Test
    void tokenClaimingALongLife_isDenied_sevenDaysAfterItWasIssued() {
        // v2, subject "u", issued at 2026-11-29T21:00:00Z, expiry claimed a year later; signed with KEY.
        Instant issued = BEFORE_EXPIRY;
        String payload = "v2.dQ." + issued.getEpochSecond() + "." + issued.plus(Duration.ofDays(365)).getEpochSecond();
        String token = payload + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(KEY, payload));
        var event = withToken(token);

        assertPolicy(authorizerAt(issued.plus(Duration.ofDays(7)).minusSeconds(1)).handleRequest(event, new TestContext()),
                IamPolicyResponseV1.ALLOW);
        assertPolicy(authorizerAt(issued.plus(Duration.ofDays(7))).handleRequest(event, new TestContext()),
                IamPolicyResponseV1.DENY);
    }

    private static APIGatewayCustomAuthorizerEvent withToken(String token) {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);
        Map<String, String> query = new HashMap<>(event.getQueryStringParameters());
        query.put("token", token);
        event.setQueryStringParameters(query);
        return event;
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertPolicy(IamPolicyResponseV1 response, String effect) {
        Map<String, Object> document = response.getPolicyDocument();
        assertThat(document).containsEntry("Version", "2012-10-17");
        assertThat(document.get("Statement")).isInstanceOfSatisfying(Map[].class, statements -> {
            assertThat(statements).hasSize(1);
            Map<?, ?> statement = statements[0];
            assertThat(statement.get("Effect")).isEqualTo(effect);
            assertThat(statement.get("Action")).isEqualTo("execute-api:Invoke");
            assertThat(statement.get("Resource")).isInstanceOfSatisfying(String[].class,
                    resources -> assertThat(resources).containsExactly(METHOD_ARN));
        });
    }
}
