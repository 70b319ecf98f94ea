package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import dev.edgewire.runtime.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Hands the rest of a broadcast to the fan-out function as asynchronous invocations: Lambda's
 * {@code Invoke} with {@code X-Amz-Invocation-Type: Event}, answered 202 ({@link LambdaInvoke}). Each event stays under Lambda's 256 KB limit
 * for an asynchronous invocation's payload (Lambda Developer Guide, "Lambda quotas"), so a large
 * remainder becomes several invocations.
 */
public final class LambdaContinuation implements Continuation {

    private static final Logger LOG = LoggerFactory.getLogger(LambdaContinuation.class);

    /** Lambda's limit for an asynchronous invocation's payload, with room to spare. */
    static final int MAX_EVENT_BYTES = 250 * 1024;

    private final LambdaInvoke lambda;

    /**
     * @param endpoint Lambda's endpoint, {@code https://lambda.{region}.amazonaws.com}
     * @param targetArn the function (alias) to invoke; {@code null} for the invoking function itself
     */
    public LambdaContinuation(SdkHttpClient http, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                              Region region, URI endpoint, String targetArn) {
        this.lambda = new LambdaInvoke(http, credentials, region, endpoint, targetArn);
    }

    @Override
    public void handOver(String payload, List<String> connectionIds, int attempt, Context context) {
        for (ContinuationEvent event : split(payload, connectionIds, attempt, MAX_EVENT_BYTES)) {
            lambda.invoke(event.toEvent(), "Event", context);
            LOG.info("handed {} connections over to {} (attempt {})", event.connectionIds().size(), lambda.target(context),
                    attempt);
        }
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
