package dev.edgewire.connection;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.runtime.Logging;
import dev.edgewire.runtime.Responses;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code $disconnect}: forgets the connection and gives its place back to its token's subject. A
 * connection already gone is not an error.
 */
public final class DisconnectHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(DisconnectHandler.class);

    private final ConnectionRepository connections;

    public DisconnectHandler(ConnectionRepository connections) {
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Logging.withContext(context, () -> {
            String connectionId = event.getRequestContext().getConnectionId();
            connections.forget(connectionId, ConnectHandler.subjectOf(event.getRequestContext().getAuthorizer()));
            LOG.info("disconnected {}", connectionId);
            return Responses.ok();
        });
    }
}
