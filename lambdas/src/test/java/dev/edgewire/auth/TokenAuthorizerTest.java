package dev.edgewire.auth;

import dev.edgewire.contract.Tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.contract.Metrics;
import dev.edgewire.testing.EmfDocuments;
import dev.edgewire.testing.MutableClock;
import dev.edgewire.standins.lambda.LambdaContext;
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
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

class TokenAuthorizerTest {

    /** The key the token in authorizer-connect.json was signed with; a test value, not a secret. */
    private static final byte[] KEY = "edgewire-unit-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    /** The token in the event file was issued at 20:00 and expires at 22:00. */
    private static final Instant BEFORE_EXPIRY = Instant.parse("2026-11-29T21:00:00Z");
    private static final String METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/demo/$connect";
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-key";

    private final EmfDocuments emf = new EmfDocuments();

    private TokenAuthorizer authorizerAt(Instant now) {
        return new TokenAuthorizer(() -> KEY, Clock.fixed(now, ZoneOffset.UTC), emf.metrics());
    }

    @Test
    void afterRestore_readsTheKeysAgain_soTheFirstConnectUsesTheKeyOfNow() {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);
        byte[] other = "another-key-rotated-in-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        List<Duration> refreshes = new java.util.ArrayList<>();
        byte[][] current = {other};
        TokenKeys keys = new TokenKeys() {
            @Override
            public List<byte[]> keys() {
                return List.of(current[0]);
            }

            @Override
            public void refreshNow(Duration within) {
                refreshes.add(within);
                current[0] = KEY;
            }
        };
        TokenAuthorizer authorizer = new TokenAuthorizer(keys, Clock.fixed(BEFORE_EXPIRY, ZoneOffset.UTC), emf.metrics());

        authorizer.afterRestore();
        IamPolicyResponseV1 response = authorizer.handleRequest(event, new LambdaContext());

        assertThat(refreshes).singleElement().satisfies(within ->
                assertThat(within).isPositive().isLessThan(Duration.ofSeconds(10)));
        assertPolicy(response, IamPolicyResponseV1.ALLOW);
    }

    @Test
    void validToken_isAllowedToInvokeTheConnectRoute_asItsSubject() {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);

        IamPolicyResponseV1 response = authorizerAt(BEFORE_EXPIRY).handleRequest(event, new LambdaContext());

        assertThat(response.getPrincipalId()).isEqualTo("wscat-user");
        assertThat(response.getContext()).containsEntry("subject", "wscat-user");
        assertPolicy(response, IamPolicyResponseV1.ALLOW);
        assertThat(emf.documents()).singleElement().satisfies(document -> {
            assertThat(document.get(Metrics.AUTHORIZER_ALLOW).asInt()).isEqualTo(1);
            assertThat(document.get(Metrics.AUTHORIZER_DENY).asInt()).isZero();
        });
    }

    @Test
    void validToken_passesItsGrantInTheContext_forTheRoutesToCheck() {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);
        Clock clock = Clock.fixed(BEFORE_EXPIRY, ZoneOffset.UTC);

        IamPolicyResponseV1 fromFile = authorizerAt(BEFORE_EXPIRY).handleRequest(event, new LambdaContext());
        IamPolicyResponseV1 all = authorizerAt(BEFORE_EXPIRY).handleRequest(
                withToken(Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofHours(1), clock)), new LambdaContext());
        IamPolicyResponseV1 none = authorizerAt(BEFORE_EXPIRY).handleRequest(
                withToken(Tokens.mint(KEY, "u", Tokens.Grant.NONE, Duration.ofHours(1), clock)), new LambdaContext());
        IamPolicyResponseV1 two = authorizerAt(BEFORE_EXPIRY).handleRequest(withToken(Tokens.mint(KEY, "u",
                Tokens.Grant.devices(List.of("thing-2", "thing-1")), Duration.ofHours(1), clock)), new LambdaContext());

        assertThat(fromFile.getContext()).containsEntry("devices", "thing-1");
        assertThat(all.getContext()).containsEntry("devices", "*");
        assertThat(none.getContext()).containsEntry("devices", "");
        assertThat(two.getContext()).containsEntry("devices", "thing-1,thing-2");
        assertPolicy(none, IamPolicyResponseV1.ALLOW);
    }

    @Test
    void v2Token_withoutGrant_isAllowed_toWatchOnly() {
        // Minted before tokens carried a grant, signed with KEY: issued 20:00, expires 22:00.
        String v2 = "v2.d3NjYXQtdXNlcg.1795982400.1795989600.zqLEfWpbXgD6I8eReuco5ugm9tDNdLNGkSRvZ_lTqEo";

        IamPolicyResponseV1 response = authorizerAt(BEFORE_EXPIRY).handleRequest(withToken(v2), new LambdaContext());

        assertPolicy(response, IamPolicyResponseV1.ALLOW);
        assertThat(response.getContext()).containsEntry("subject", "wscat-user").containsEntry("devices", "");
    }

    @Test
    void expiredToken_isDenied() {
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);

        IamPolicyResponseV1 response = authorizerAt(Instant.parse("2026-11-29T22:00:00Z")).handleRequest(event, new LambdaContext());

        assertPolicy(response, IamPolicyResponseV1.DENY);
        assertThat(response.getPrincipalId()).isEqualTo(TokenAuthorizer.ANONYMOUS);
        assertThat(emf.documents()).singleElement().satisfies(document -> {
            assertThat(document.get(Metrics.AUTHORIZER_ALLOW).asInt()).isZero();
            assertThat(document.get(Metrics.AUTHORIZER_DENY).asInt()).isEqualTo(1);
        });
    }

    @Test
    void missingToken_isDenied() {
        var event = Events.load("authorizer-connect-without-token.json", APIGatewayCustomAuthorizerEvent.class);

        assertPolicy(authorizerAt(BEFORE_EXPIRY).handleRequest(event, new LambdaContext()), IamPolicyResponseV1.DENY);
    }

    @Test
    void noQueryStringAtAll_isDenied() {
        var event = Events.load("authorizer-connect-without-token.json", APIGatewayCustomAuthorizerEvent.class);
        event.setQueryStringParameters(null);

        assertPolicy(authorizerAt(BEFORE_EXPIRY).handleRequest(event, new LambdaContext()), IamPolicyResponseV1.DENY);
    }

    @Test
    void forgedAndMalformedTokens_areDenied() {
        // A zeroed signature, the valid signature under another subject, the token with its grant
        // widened to every device, and the same token in the v1 form of before issued-at (its
        // signature valid for that form).
        for (String token : List.of("v2.d3NjYXQtdXNlcg.1795982400.1795989600.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "v3.d3NjYXQtdXNlcg.Kg.1795982400.1795989600.9R0hZbGOKe4GNbeiFP-4GFgOmdqfiVcK0T9onjaekfE",
                "v2.YWRtaW4.1795982400.1795989600.zqLEfWpbXgD6I8eReuco5ugm9tDNdLNGkSRvZ_lTqEo",
                "v1.d3NjYXQtdXNlcg.1795989600.ZTTRc_EiGEuM19QKiW_l2i0LAnkPRjahaD16MGUSTPs", "garbage", "")) {
            assertPolicy(authorizerAt(BEFORE_EXPIRY).handleRequest(withToken(token), new LambdaContext()), IamPolicyResponseV1.DENY);
        }
    }

    @Test
    void keysFromSecretsManager_areReadOnce_forManyRequestsWithinFiveMinutes() {
        var secrets = new RotatingSecret(KEY);
        var authorizer = new TokenAuthorizer(new SecretsManagerKey(() -> secrets.client, SECRET_ARN,
                Clock.fixed(BEFORE_EXPIRY, ZoneOffset.UTC)), Clock.fixed(BEFORE_EXPIRY, ZoneOffset.UTC), emf.metrics());
        var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);

        for (int i = 0; i < 3; i++) {
            assertPolicy(authorizer.handleRequest(event, new LambdaContext()), IamPolicyResponseV1.ALLOW);
        }

        ArgumentCaptor<GetSecretValueRequest> read = ArgumentCaptor.forClass(GetSecretValueRequest.class);
        verify(secrets.client, times(2)).getSecretValue(read.capture());
        assertThat(read.getAllValues()).extracting(GetSecretValueRequest::secretId).containsOnly(SECRET_ARN);
        assertThat(read.getAllValues()).extracting(GetSecretValueRequest::versionStage).containsExactly("AWSCURRENT", "AWSPREVIOUS");
    }

    @Test
    void tokenSignedWithTheOldKey_isAllowedAfterARotation_andDeniedOnceThatKeyIsNoLongerPrevious() {
        byte[] newKey = "the-key-after-the-first-rotation-0123456".getBytes(StandardCharsets.UTF_8);
        byte[] newerKey = "the-key-after-the-second-rotation-012345".getBytes(StandardCharsets.UTF_8);
        var secrets = new RotatingSecret(KEY);
        var clock = new MutableClock(BEFORE_EXPIRY);
        var authorizer = new TokenAuthorizer(new SecretsManagerKey(() -> secrets.client, SECRET_ARN, clock), clock, emf.metrics());
        var signedWithOldKey = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);
        var signedWithNewKey = withToken(Tokens.mint(newKey, "after-rotation", Tokens.Grant.ALL, Duration.ofHours(1), clock));
        assertPolicy(authorizer.handleRequest(signedWithOldKey, new LambdaContext()), IamPolicyResponseV1.ALLOW);

        secrets.rotate(newKey);
        clock.advance(SecretsManagerKey.REFRESH_INTERVAL);
        assertPolicy(authorizer.handleRequest(signedWithNewKey, new LambdaContext()), IamPolicyResponseV1.ALLOW);
        assertPolicy(authorizer.handleRequest(signedWithOldKey, new LambdaContext()), IamPolicyResponseV1.ALLOW);

        secrets.rotate(newerKey);
        clock.advance(SecretsManagerKey.REFRESH_INTERVAL);
        assertPolicy(authorizer.handleRequest(signedWithOldKey, new LambdaContext()), IamPolicyResponseV1.DENY);
        assertPolicy(authorizer.handleRequest(signedWithNewKey, new LambdaContext()), IamPolicyResponseV1.ALLOW);
    }

    @Test
    void tokenSignedWithTheNewKey_isDenied_untilTheKeysAreReadAgain() {
        byte[] newKey = "the-key-after-the-first-rotation-0123456".getBytes(StandardCharsets.UTF_8);
        var secrets = new RotatingSecret(KEY);
        var clock = new MutableClock(BEFORE_EXPIRY);
        var authorizer = new TokenAuthorizer(new SecretsManagerKey(() -> secrets.client, SECRET_ARN, clock), clock, emf.metrics());
        var signedWithNewKey = withToken(Tokens.mint(newKey, "after-rotation", Tokens.Grant.ALL, Duration.ofHours(1), clock));
        assertPolicy(authorizer.handleRequest(signedWithNewKey, new LambdaContext()), IamPolicyResponseV1.DENY);

        secrets.rotate(newKey);
        clock.advance(SecretsManagerKey.REFRESH_INTERVAL.minusSeconds(1));
        assertPolicy(authorizer.handleRequest(signedWithNewKey, new LambdaContext()), IamPolicyResponseV1.DENY);
        clock.advance(Duration.ofSeconds(1));
        assertPolicy(authorizer.handleRequest(signedWithNewKey, new LambdaContext()), IamPolicyResponseV1.ALLOW);
    }

    @Test
    void tokenClaimingALongLife_isDenied_sevenDaysAfterItWasIssued() {
        // v2, subject "u", issued at 2026-11-29T21:00:00Z, expiry claimed a year later; signed with KEY.
        Instant issued = BEFORE_EXPIRY;
        String payload = "v2.dQ." + issued.getEpochSecond() + "." + issued.plus(Duration.ofDays(365)).getEpochSecond();
        String token = payload + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(KEY, payload));
        var event = withToken(token);

        assertPolicy(authorizerAt(issued.plus(Duration.ofDays(7)).minusSeconds(1)).handleRequest(event, new LambdaContext()),
                IamPolicyResponseV1.ALLOW);
        assertPolicy(authorizerAt(issued.plus(Duration.ofDays(7))).handleRequest(event, new LambdaContext()),
                IamPolicyResponseV1.DENY);
    }

    /** A Secrets Manager secret whose versions move as PutSecretValue moves them; AWSPREVIOUS absent until the first rotation. */
    private static final class RotatingSecret {
        final SecretsManagerClient client = mock(SecretsManagerClient.class);
        private volatile byte[] current;
        private volatile byte[] previous;

        RotatingSecret(byte[] initial) {
            current = initial;
            when(client.getSecretValue(any(GetSecretValueRequest.class))).thenAnswer(call -> {
                GetSecretValueRequest request = call.getArgument(0);
                byte[] value = switch (request.versionStage()) {
                    case "AWSCURRENT" -> current;
                    case "AWSPREVIOUS" -> previous;
                    default -> null;
                };
                if (value == null) {
                    throw ResourceNotFoundException.builder().message(
                            "Secrets Manager can't find the specified secret value for staging label: " + request.versionStage()).build();
                }
                return GetSecretValueResponse.builder().arn(request.secretId())
                        .secretString(new String(value, StandardCharsets.UTF_8)).build();
            });
        }

        void rotate(byte[] next) {
            previous = current;
            current = next;
        }
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
