package dev.edgewire.message;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.message.SubscribeParser.Rejected;
import dev.edgewire.message.SubscribeParser.Subscribe;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Logging;
import dev.edgewire.runtime.Responses;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code subscribe}: stores which devices' readings the connection wants on its row, and answers
 * the sender alone with {@code {"type":"subscribed","devices":[...]}} (or {@code "all"}). The
 * fan-out sends each connection only the readings it chose, and every message; a new choice takes
 * effect within the fan-out's cache TTL of the connection ids. A bad body gets an error envelope
 * and changes nothing.
 */
public final class SubscribeHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(SubscribeHandler.class);

    private final SubscribeParser parser;
    private final ConnectionRepository connections;
    private final Broadcaster broadcaster;

    /** @param broadcaster answers the sender alone */
    public SubscribeHandler(SubscribeParser parser, ConnectionRepository connections, Broadcaster broadcaster) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Logging.withContext(context, () -> {
            String sender = event.getRequestContext().getConnectionId();
            SubscribeParser.Result parsed = parser.parse(Bodies.text(event));
            if (parsed instanceof Rejected rejected) {
                LOG.warn("rejected a subscription from {}: {}", sender, rejected.detail());
                ErrorReply.send(broadcaster, event, Envelope.Error.badRequest(rejected.detail()));
                return Responses.status(400);
            }
            Subscribe choice = (Subscribe) parsed;
            if (!connections.subscribe(sender, choice.devices())) {
                // $connect stores the row before API Gateway lets a frame through; without one the
                // connection has gone, or its row was never stored.
                LOG.warn("no connection row for {}; its subscription was not stored", sender);
                ErrorReply.send(broadcaster, event, new Envelope.Error("NotConnected",
                        "This connection is not known any more; connect again."));
                return Responses.status(410);
            }
            Object devices = choice.devices() == null ? SubscribeParser.ALL : List.copyOf(choice.devices());
            LOG.info("connection {} subscribed to {}", sender, devices);
            broadcaster.sendTo(sender, Json.write(new Envelope.Subscribed(devices)));
            return Responses.ok();
        });
    }
}
