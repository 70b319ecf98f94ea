package dev.edgewire.message;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.broadcast.BroadcastResult;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.Continuation;
import dev.edgewire.broadcast.Deadline;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.message.SendMessageParser.Rejected;
import dev.edgewire.message.SendMessageParser.SendMessage;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Logging;
import dev.edgewire.runtime.Responses;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sendMessage}: broadcasts the message to every WebSocket connection and publishes it to
 * the devices ({@code general/outbound}, or one device's commands topic when {@code deviceId} is
 * given). Devices get the same {@code {"type":"message",...}} envelope the browsers get. A bad
 * body gets an error envelope back to the sender only, and nothing is sent anywhere else.
 */
public final class SendMessageHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(SendMessageHandler.class);

    /**
     * The most API Gateway takes in one {@code @connections} post (API Gateway Developer Guide,
     * "Amazon API Gateway quotas": WebSocket message payload size, 128 KB).
     */
    static final int MAX_ENVELOPE_BYTES = 128 * 1024;
    /** Time kept back from the function's limit for the posts in flight, the publish and the hand-over. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    private final SendMessageParser parser;
    private final Broadcaster broadcaster;
    private final DevicePublisher devices;
    private final Continuation continuation;
    private final Clock clock;

    public SendMessageHandler(SendMessageParser parser, Broadcaster broadcaster, DevicePublisher devices,
                              Continuation continuation, Clock clock) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        this.devices = Objects.requireNonNull(devices, "devices");
        this.continuation = Objects.requireNonNull(continuation, "continuation");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Logging.withContext(context, () -> {
            String sender = event.getRequestContext().getConnectionId();
            SendMessageParser.Result parsed = parser.parse(Bodies.text(event));
            if (parsed instanceof Rejected rejected) {
                LOG.warn("rejected a message from {}: {}", sender, rejected.detail());
                broadcaster.sendTo(sender, Json.write(Envelope.Error.badRequest(rejected.detail())));
                return Responses.status(400);
            }
            SendMessage request = (SendMessage) parsed;
            String envelope = Json.write(new Envelope.Message(sender, request.message(), clock.millis()));
            int envelopeBytes = envelope.getBytes(StandardCharsets.UTF_8).length;
            if (envelopeBytes > MAX_ENVELOPE_BYTES) {
                // A body just under the limit can grow past it once wrapped (escapes, sender, time):
                // one clear error here rather than one refused post per connection.
                String detail = "The message is " + envelopeBytes + " bytes once wrapped for delivery; the limit is "
                        + MAX_ENVELOPE_BYTES + " bytes. Send a shorter message.";
                LOG.warn("rejected a message from {}: {}", sender, detail);
                broadcaster.sendTo(sender, Json.write(Envelope.Error.badRequest(detail)));
                return Responses.status(413);
            }
            BroadcastResult result = broadcaster.toAll(envelope, Deadline.of(context, DEADLINE_MARGIN));
            if (!result.unsent().isEmpty()) {
                try {
                    continuation.handOver(envelope, result.unsent(), context);
                } catch (RuntimeException e) {
                    LOG.error("message from {} reached {} connections; handing the other {} over failed", sender,
                            result.delivered(), result.unsent().size(), e);
                    broadcaster.sendTo(sender, Json.write(new Envelope.Error("PartlyDelivered",
                            "The message reached " + result.delivered() + " connections but not "
                                    + result.unsent().size() + " others; try again.")));
                    return Responses.status(502);
                }
            }
            try {
                String topic = request.deviceId()
                        .map(thing -> devices.publishTo(thing, envelope))
                        .orElseGet(() -> devices.publishToAll(envelope));
                LOG.info("message from {} reached {} connections and topic {}", sender, result.delivered(), topic);
            } catch (RuntimeException e) {
                LOG.error("message from {} reached {} connections but publishing to the devices failed", sender,
                        result.delivered(), e);
                broadcaster.sendTo(sender, Json.write(new Envelope.Error("PublishFailed",
                        "The message reached the WebSocket clients but not the devices; try again.")));
                return Responses.status(502);
            }
            return Responses.ok();
        });
    }
}
