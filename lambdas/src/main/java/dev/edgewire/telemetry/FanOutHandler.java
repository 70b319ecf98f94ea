package dev.edgewire.telemetry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.broadcast.BroadcastResult;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.Continuation;
import dev.edgewire.broadcast.ContinuationEvent;
import dev.edgewire.broadcast.Deadline;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Logging;
import dev.edgewire.contract.Topology;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out of device readings: the IoT topic rules invoke it with their JSON output (the reading's
 * fields plus {@code deviceId}, {@code topic} and {@code receivedAt}), and it sends a
 * {@code {"type":"telemetry",...}} envelope to every WebSocket connection.
 *
 * <p>A reading without a usable {@code deviceId} is logged and dropped; the invocation still
 * succeeds, so IoT does not retry it and nothing else is held up. Connection ids come from a
 * {@link ConnectionIdCache}, so the cost per reading stays flat as the rate grows.
 */
public final class FanOutHandler implements RequestHandler<Map<String, Object>, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(FanOutHandler.class);

    /** Fields the topic rule adds; the rest is the reading as the device sent it. */
    static final String DEVICE_ID = "deviceId";
    static final String TOPIC = "topic";
    static final String RECEIVED_AT = "receivedAt";
    /** The certificate id the general/inbound rule adds; the device's identity for an HTTPS publish. */
    static final String PRINCIPAL = "principal";
    /** What the rule's {@code clientid()} gives for a publish that did not come over MQTT. */
    static final String NOT_MQTT = "n/a";

    /**
     * Time kept back from the function's limit for the posts in flight (each bounded by the HTTP
     * client's timeouts) and the hand-over of the rest.
     */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    private final ConnectionIdCache connectionIds;
    private final Broadcaster broadcaster;
    private final Continuation continuation;

    public FanOutHandler(ConnectionIdCache connectionIds, Broadcaster broadcaster, Continuation continuation) {
        this.connectionIds = Objects.requireNonNull(connectionIds, "connectionIds");
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        this.continuation = Objects.requireNonNull(continuation, "continuation");
    }

    /**
     * A reading from a topic rule, or the rest of a broadcast an earlier invocation handed over
     * ({@link ContinuationEvent}).
     */
    @Override
    public Void handleRequest(Map<String, Object> event, Context context) {
        return Logging.withContext(context, () -> {
            Deadline deadline = Deadline.of(context, DEADLINE_MARGIN);
            ContinuationEvent continued = ContinuationEvent.from(event);
            if (continued != null) {
                send(continued.connectionIds(), continued.payload(), deadline, context);
            } else {
                String envelope = envelope(event);
                if (envelope != null) {
                    send(connectionIds.ids(), envelope, deadline, context);
                }
            }
            return null;
        });
    }

    /**
     * Posts until the deadline, then hands the rest over. A failed hand-over fails the invocation, so
     * Lambda retries it and, after the last retry, keeps it in the on-failure destination.
     */
    private void send(Iterable<String> ids, String envelope, Deadline deadline, Context context) {
        BroadcastResult result = broadcaster.toEach(ids, envelope, deadline);
        connectionIds.forget(result.goneConnectionIds());
        if (!result.unsent().isEmpty()) {
            continuation.handOver(envelope, result.unsent(), context);
        }
    }

    /** The telemetry envelope of a rule's output, or {@code null} (logged) when it is not a usable reading. */
    private static String envelope(Map<String, Object> ruleOutput) {
        if (ruleOutput == null || ruleOutput.isEmpty()) {
            LOG.warn("dropped a reading: the rule output is empty or not a JSON object");
            return null;
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.valueToTree(ruleOutput);
        } catch (IllegalArgumentException e) {
            LOG.warn("dropped a reading that is not JSON: {}", e.getMessage());
            return null;
        }
        String deviceId = authenticatedDevice(tree);
        if (deviceId == null) {
            LOG.warn("dropped a reading without an authenticated device from topic {}", tree.path(TOPIC).asText("?"));
            return null;
        }
        ObjectNode reading = ((ObjectNode) tree).deepCopy();
        reading.remove(TOPIC);
        reading.remove(RECEIVED_AT);
        if (Topology.Topics.GENERAL_INBOUND.equals(textOrNull(tree.get(TOPIC)))) {
            reading.remove(PRINCIPAL);
        }
        return Json.write(new Envelope.Telemetry(deviceId,
                textOrNull(tree.get(TOPIC)), ruleOutput.get(RECEIVED_AT), reading));
    }

    /**
     * The device as the rule identified it: the topic's thing name, or on {@code general/inbound}
     * the MQTT client id, or for an HTTPS publish there the certificate id. Never the payload's
     * claim: the rules' SQL writes {@code deviceId} over whatever the payload had.
     */
    private static String authenticatedDevice(JsonNode tree) {
        String deviceId = textOrNull(tree.get(DEVICE_ID));
        if (NOT_MQTT.equals(deviceId)) {
            deviceId = textOrNull(tree.get(PRINCIPAL));
        }
        return deviceId == null || deviceId.isBlank() ? null : deviceId;
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
