package dev.edgewire.message;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.message.SendMessageParser.Rejected;
import dev.edgewire.message.SendMessageParser.SendMessage;
import dev.edgewire.auth.TokenAuthorizer;
import dev.edgewire.queue.ReadingsQueueClient;
import dev.edgewire.contract.Metrics;
import dev.edgewire.contract.Tokens;
import dev.edgewire.contract.Topology;
import dev.edgewire.runtime.FunctionMetrics;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Logging;
import dev.edgewire.runtime.Responses;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sendMessage}: queues the message on the readings queue, where the fan-out delivers it to
 * every WebSocket connection with the readings, and publishes it to the devices
 * ({@code general/outbound}, or one device's commands topic when {@code deviceId} is given). Two
 * calls whatever the audience, so the route answers fast and a flooding client costs queue sends,
 * not a post to every connection per message. Devices get the same {@code {"type":"message",...}}
 * envelope the browsers get. A bad body gets an error envelope back to the sender only, and nothing
 * is sent anywhere else. A sender over its message rate ({@link MessageRateLimit}) gets an error
 * envelope that says when to retry, and its message costs nothing more.
 *
 * <p>The sender's token decides where a message may go ({@link Tokens.Grant}, passed by the
 * authorizer in {@code requestContext.authorizer}): to one device only if the grant names it or
 * every device, and without {@code deviceId}, which goes to every device on {@code general/outbound},
 * only with a grant of every device. Anything else gets a {@value Envelope.Error#FORBIDDEN} error to
 * the sender, status 403, and is neither queued nor published: one message is one act, so the
 * watchers do not get a message that the devices were refused. A token without devices still watches.
 */
public final class SendMessageHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(SendMessageHandler.class);

    /**
     * The most API Gateway takes in one {@code @connections} post (API Gateway Developer Guide,
     * "Amazon API Gateway quotas": WebSocket message payload size, 128 KB). It also fits one SQS
     * message (256 KiB; Amazon SQS Developer Guide, "Amazon SQS message quotas").
     */
    static final int MAX_ENVELOPE_BYTES = 128 * 1024;
    private final SendMessageParser parser;
    private final Broadcaster broadcaster;
    private final DevicePublisher devices;
    private final ReadingsQueueClient queue;
    private final MessageRateLimit rateLimit;
    private final Clock clock;
    private final FunctionMetrics metrics;

    /**
     * @param broadcaster answers the sender alone (errors)
     * @param queue where the message waits for the fan-out
     * @param rateLimit each connection's message rate ({@link Topology.MessageRate})
     * @param metrics counts messages queued ({@value Metrics#MESSAGES_IN}) and refused over the rate
     *                ({@value Metrics#MESSAGES_REFUSED}), one document per invocation
     */
    public SendMessageHandler(SendMessageParser parser, Broadcaster broadcaster, DevicePublisher devices,
                              ReadingsQueueClient queue, MessageRateLimit rateLimit, Clock clock,
                              FunctionMetrics metrics) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        this.devices = Objects.requireNonNull(devices, "devices");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Logging.withContext(context, () -> {
            // Both counts in every invocation, zeros included, so an alarm on either sees data.
            FunctionMetrics.Tally tally = metrics.start().count(Metrics.MESSAGES_IN, 0).count(Metrics.MESSAGES_REFUSED, 0);
            try {
                return send(event, tally);
            } finally {
                tally.flush();
            }
        });
    }

    private APIGatewayV2WebSocketResponse send(APIGatewayV2WebSocketEvent event, FunctionMetrics.Tally tally) {
        String sender = event.getRequestContext().getConnectionId();
        SendMessageParser.Result parsed = parser.parse(Bodies.text(event));
        if (parsed instanceof Rejected rejected) {
            LOG.warn("rejected a message from {}: {}", sender, rejected.detail());
            ErrorReply.send(broadcaster, event, Envelope.Error.badRequest(rejected.detail()));
            return Responses.status(400);
        }
        SendMessage request = (SendMessage) parsed;
        Tokens.Grant grant = grantOf(event);
        Optional<String> forbidden = forbidden(request.deviceId(), grant);
        if (forbidden.isPresent()) {
            LOG.warn("refused a message from {} to {}: its token allows {}", sender,
                    request.deviceId().orElse("every device"), grant.describe());
            ErrorReply.send(broadcaster, event, new Envelope.Error(Envelope.Error.FORBIDDEN, forbidden.get()));
            return Responses.status(403);
        }
        String envelope = Json.write(new Envelope.Message(messageId(event), sender, request.message(), clock.millis()));
        int envelopeBytes = envelope.getBytes(StandardCharsets.UTF_8).length;
        if (envelopeBytes > MAX_ENVELOPE_BYTES) {
            // A body just under the limit can grow past it once wrapped (escapes, sender, time):
            // one clear error here rather than one refused post per connection.
            String detail = "The message is " + envelopeBytes + " bytes once wrapped for delivery; the limit is "
                    + MAX_ENVELOPE_BYTES + " bytes. Send a shorter message.";
            LOG.warn("rejected a message from {}: {}", sender, detail);
            ErrorReply.send(broadcaster, event, Envelope.Error.badRequest(detail));
            return Responses.status(413);
        }
        if (rateLimit.admit(sender) instanceof MessageRateLimit.Decision.Refused refused) {
            String detail = "Over " + Topology.MessageRate.PER_SECOND + " messages a second (bursts of "
                    + Topology.MessageRate.BURST + "): this one was not sent. Retry in " + refused.retryAfterMillis()
                    + " ms.";
            LOG.warn("refused a message from {}: over its message rate", sender);
            tally.count(Metrics.MESSAGES_REFUSED, 1);
            ErrorReply.send(broadcaster, event, new Envelope.Error(Envelope.Error.TOO_MANY_MESSAGES, detail,
                    refused.retryAfterMillis(), null));
            return Responses.status(429);
        }
        String queued;
        try {
            queued = queue.send(envelope, Topology.ReadingsQueue.KIND_MESSAGE);
        } catch (RuntimeException e) {
            LOG.error("message from {} could not be queued for the WebSocket clients", sender, e);
            ErrorReply.send(broadcaster, event, new Envelope.Error("NotDelivered",
                    "The message was not sent to anyone; try again."));
            return Responses.status(502);
        }
        tally.count(Metrics.MESSAGES_IN, 1);
        try {
            String topic = request.deviceId()
                    .map(thing -> devices.publishTo(thing, envelope))
                    .orElseGet(() -> devices.publishToAll(envelope));
            LOG.info("message from {} queued for the WebSocket clients as {} and published to {}", sender, queued, topic);
        } catch (RuntimeException e) {
            LOG.error("message from {} was queued for the WebSocket clients but publishing to the devices failed",
                    sender, e);
            ErrorReply.send(broadcaster, event, new Envelope.Error("PublishFailed",
                    "The message reaches the WebSocket clients but not the devices; try again."));
            return Responses.status(502);
        }
        return Responses.ok();
    }

    /** API Gateway's id of the request that carried the message: unique to it, and in the stage's access log. */
    private static String messageId(APIGatewayV2WebSocketEvent event) {
        String requestId = event.getRequestContext().getRequestId();
        return requestId != null && !requestId.isBlank() ? requestId : UUID.randomUUID().toString();
    }

    /**
     * The grant the authorizer passed for this connection; none when there is none, so a connection
     * without one can watch but not command.
     */
    static Tokens.Grant grantOf(APIGatewayV2WebSocketEvent event) {
        Map<String, Object> authorizer = event.getRequestContext() == null ? null : event.getRequestContext().getAuthorizer();
        Object devices = authorizer == null ? null : authorizer.get(TokenAuthorizer.DEVICES);
        try {
            return Tokens.Grant.parse(devices == null ? null : devices.toString());
        } catch (IllegalArgumentException e) {
            LOG.warn("the connection's grant \"{}\" is not one; it commands no device", devices);
            return Tokens.Grant.NONE;
        }
    }

    /** Why the grant does not allow a message to {@code deviceId} (every device when empty), worded for the sender. */
    static Optional<String> forbidden(Optional<String> deviceId, Tokens.Grant grant) {
        String allows = "this token allows " + grant.describe() + (grant.devices().isEmpty() && !grant.allDevices()
                ? " (it may watch, not command)" : "");
        if (deviceId.isPresent()) {
            return grant.allows(deviceId.get()) ? Optional.empty() : Optional.of("Not sent: \"" + deviceId.get()
                    + "\" is not a device this token may command; " + allows + ". Mint a token that names it.");
        }
        String remedy = grant.devices().isEmpty() ? "Mint a token for every device to send to all of them."
                : "Name one of its devices in \"deviceId\", or mint a token for every device.";
        return grant.allDevices() ? Optional.empty() : Optional.of("Not sent: a message without \"deviceId\" goes to every"
                + " device (general/outbound), which takes a token for every device; " + allows + ". " + remedy);
    }
}
