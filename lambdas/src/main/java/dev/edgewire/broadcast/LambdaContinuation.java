package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import dev.edgewire.runtime.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * Hands the rest of a broadcast to the fan-out function as asynchronous invocations: Lambda's
 * {@code Invoke} with {@code X-Amz-Invocation-Type: Event} ({@code POST
 * /2015-03-31/functions/{FunctionName}/invocations}, answered 202; Lambda API Reference, "Invoke"),
 * as one signed request ({@link SignedCall}) rather than through the generated Lambda client, which
 * would add about 2.7 MB to the jar for this one call. Each event stays under Lambda's 256 KB limit
 * for an asynchronous invocation's payload (Lambda Developer Guide, "Lambda quotas"), so a large
 * remainder becomes several invocations.
 */
public final class LambdaContinuation implements Continuation {

    private static final Logger LOG = LoggerFactory.getLogger(LambdaContinuation.class);
    private static final String SERVICE_NAME = "Lambda";
    private static final String SIGNING_NAME = "lambda";

    /** Lambda's limit for an asynchronous invocation's payload, with room to spare. */
    static final int MAX_EVENT_BYTES = 250 * 1024;

    private final SignedCall call;
    private final URI endpoint;
    private final String targetArn;

    /**
     * @param endpoint Lambda's endpoint, {@code https://lambda.{region}.amazonaws.com}
     * @param targetArn the function (alias) to invoke; {@code null} for the invoking function itself
     */
    public LambdaContinuation(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                              Region region, URI endpoint, String targetArn) {
        this.call = new SignedCall(http, credentials, region, SIGNING_NAME, SERVICE_NAME,
                AwsRetryStrategy.standardRetryStrategy());
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.targetArn = targetArn;
    }

    @Override
    public void handOver(String payload, List<String> connectionIds, int attempt, Context context) {
        String target = targetArn != null ? targetArn : context.getInvokedFunctionArn();
        for (ContinuationEvent event : split(payload, connectionIds, attempt, MAX_EVENT_BYTES)) {
            byte[] body = Json.write(event.toEvent()).getBytes(StandardCharsets.UTF_8);
            SdkHttpRequest request = SdkHttpRequest.builder()
                    .method(SdkHttpMethod.POST)
                    .uri(endpoint)
                    .encodedPath("/2015-03-31/functions/" + SdkHttpUtils.urlEncode(target) + "/invocations")
                    .putHeader("X-Amz-Invocation-Type", "Event")
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Content-Length", Integer.toString(body.length))
                    .build();
            call.execute(request, body, LambdaContinuation::error);
            LOG.info("handed {} connections over to {}", event.connectionIds().size(), target);
        }
    }

    private static SdkException error(int status, AwsErrorDetails details, String message) {
        return AwsServiceException.builder().statusCode(status).awsErrorDetails(details).message(message).build();
    }

    /** As few events as fit {@code maxBytes} each, together naming every connection once. */
    static List<ContinuationEvent> split(String payload, List<String> connectionIds, int attempt, int maxBytes) {
        int base = bytes(Json.write(new ContinuationEvent(payload, List.of(), attempt).toEvent()));
        List<ContinuationEvent> events = new ArrayList<>();
        List<String> batch = new ArrayList<>();
        int size = base;
        for (String id : connectionIds) {
            // the id in quotes, and a comma
            int cost = bytes(Json.write(id)) + 1;
            if (base + cost > maxBytes) {
                throw new IllegalArgumentException("the payload leaves no room for a connection id in "
                        + maxBytes + " bytes");
            }
            if (!batch.isEmpty() && size + cost > maxBytes) {
                events.add(new ContinuationEvent(payload, batch, attempt));
                batch = new ArrayList<>();
                size = base;
            }
            batch.add(id);
            size += cost;
        }
        if (!batch.isEmpty()) {
            events.add(new ContinuationEvent(payload, batch, attempt));
        }
        return events;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
