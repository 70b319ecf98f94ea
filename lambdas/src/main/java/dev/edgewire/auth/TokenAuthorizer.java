package dev.edgewire.auth;

import dev.edgewire.contract.Tokens;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import dev.edgewire.contract.Metrics;
import dev.edgewire.runtime.FunctionMetrics;
import dev.edgewire.runtime.Logging;
import dev.edgewire.runtime.Restorable;
import dev.edgewire.contract.Topology;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REQUEST authorizer of {@code $connect}: allows the connection when the query-string parameter
 * {@value Topology#TOKEN_QUERY_PARAMETER} holds a valid {@link Tokens} token, denies it otherwise
 * (API Gateway then answers 403 and no connection is made).
 *
 * <p>An allowed connection's context carries the token's subject ({@value #SUBJECT}) and its grant
 * ({@value #DEVICES}, {@link Tokens.Grant#text()}: {@code *}, thing names joined by commas, or empty
 * for none). API Gateway hands this context, as text, to the function of every later event of the
 * connection in {@code requestContext.authorizer}, with {@code principalId} ("WebSocket API mapping
 * template reference": {@code $context.authorizer.principalId} and {@code $context.authorizer.property},
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html),
 * so {@code sendMessage} checks a command against the grant without reading the token again.
 */
public final class TokenAuthorizer
        implements RequestHandler<APIGatewayCustomAuthorizerEvent, IamPolicyResponseV1>, Restorable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthorizer.class);
    /** Principal of a denied request; API Gateway wants one either way. */
    static final String ANONYMOUS = "anonymous";
    /** Context key: the token's subject. */
    public static final String SUBJECT = "subject";
    /** Context key: the devices the token may command, as {@link Tokens.Grant#text()}. */
    public static final String DEVICES = "devices";

    /**
     * How long a restore waits for the keys ({@link TokenKeys#refreshNow}): well inside the 10 seconds
     * Lambda gives the after-restore hooks, with room for the runtime's own work.
     */
    static final Duration KEYS_AFTER_RESTORE = Duration.ofSeconds(3);

    private final TokenKeys keys;
    private final Clock clock;
    private final FunctionMetrics metrics;

    /** @param key supplies the one HMAC key tokens are signed with; called on every request, so it should cache */
    public TokenAuthorizer(Supplier<byte[]> key, Clock clock, FunctionMetrics metrics) {
        this(TokenKeys.of(key), clock, metrics);
    }

    /**
     * @param keys the keys a token may be signed with (current, then previous); called on every request
     * @param metrics counts allowed ({@value Metrics#AUTHORIZER_ALLOW}) and denied
     *                ({@value Metrics#AUTHORIZER_DENY}) tokens, one document per invocation
     */
    public TokenAuthorizer(TokenKeys keys, Clock clock, FunctionMetrics metrics) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The keys are read again: they may have rotated since the snapshot was taken. */
    @Override
    public void afterRestore() {
        keys.refreshNow(KEYS_AFTER_RESTORE);
    }

    @Override
    public IamPolicyResponseV1 handleRequest(APIGatewayCustomAuthorizerEvent event, Context context) {
        return Logging.withContext(context, () -> {
            Map<String, String> query = event.getQueryStringParameters();
            String token = query == null ? null : query.get(Topology.TOKEN_QUERY_PARAMETER);
            Tokens.Verification verification = Tokens.verify(keys.keys(), token, clock);
            metrics.start()
                    .count(Metrics.AUTHORIZER_ALLOW, verification.valid() ? 1 : 0)
                    .count(Metrics.AUTHORIZER_DENY, verification.valid() ? 0 : 1)
                    .flush();
            if (!verification.valid()) {
                LOG.info("denied a connection: token {}", verification.reason());
                return policy(ANONYMOUS, IamPolicyResponseV1.DENY, event.getMethodArn(), null);
            }
            LOG.info("allowed a connection for {}, who may command {}", verification.subject(),
                    verification.grant().describe());
            return policy(verification.subject(), IamPolicyResponseV1.ALLOW, event.getMethodArn(),
                    Map.of(SUBJECT, verification.subject(), DEVICES, verification.grant().text()));
        });
    }

    private static IamPolicyResponseV1 policy(String principal, String effect, String methodArn,
            Map<String, Object> context) {
        IamPolicyResponseV1.Statement statement = IamPolicyResponseV1.Statement.builder()
                .withAction(IamPolicyResponseV1.EXECUTE_API_INVOKE)
                .withEffect(effect)
                .withResource(List.of(methodArn))
                .build();
        return IamPolicyResponseV1.builder()
                .withPrincipalId(principal)
                .withPolicyDocument(IamPolicyResponseV1.PolicyDocument.builder()
                        .withVersion(IamPolicyResponseV1.VERSION_2012_10_17)
                        .withStatement(List.of(statement))
                        .build())
                .withContext(context)
                .build();
    }
}
