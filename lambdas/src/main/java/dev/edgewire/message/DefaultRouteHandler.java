package dev.edgewire.message;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Logging;
import dev.edgewire.runtime.Responses;
import dev.edgewire.contract.Topology;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code $default}: a frame whose {@code action} no route serves; tells the sender which actions exist. */
public final class DefaultRouteHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultRouteHandler.class);
    private static final int MAX_ECHOED_ACTION_CHARS = 64;

    private final Broadcaster broadcaster;

    public DefaultRouteHandler(Broadcaster broadcaster) {
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Logging.withContext(context, () -> {
            String sender = event.getRequestContext().getConnectionId();
            String detail = detail(Bodies.text(event));
            LOG.warn("no route for a frame from {}: {}", sender, detail);
            ErrorReply.send(broadcaster, event, Envelope.Error.badRequest(detail));
            return Responses.status(400);
        });
    }

    static String detail(String body) {
        String valid = "Valid actions: " + String.join(", ", Topology.actions())
                + ". Send for example {\"action\":\"sendMessage\",\"message\":\"hello\"}.";
        String action = action(body);
        if (action == null) {
            return "The body has no \"action\". " + valid;
        }
        String shown = action.length() <= MAX_ECHOED_ACTION_CHARS ? action : action.substring(0, MAX_ECHOED_ACTION_CHARS) + "...";
        return "Unknown action \"" + shown + "\". " + valid;
    }

    private static String action(String body) {
        if (body == null || body.length() > SendMessageParser.MAX_BODY_BYTES) {
            return null;
        }
        try {
            JsonNode action = Json.MAPPER.readTree(body).get("action");
            return action != null && action.isTextual() ? action.textValue() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
