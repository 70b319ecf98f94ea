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

/** {@code $connect}: remembers the connection so broadcasts reach it. */
public final class ConnectHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectHandler.class);

    private final ConnectionRepository connections;

    public ConnectHandler(ConnectionRepository connections) {
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Logging.withContext(context, () -> {
            var request = event.getRequestContext();
            String sourceIp = request.getIdentity() == null ? null : request.getIdentity().getSourceIp();
            // A failure here propagates: API Gateway then refuses the connection, which is better
            // than accepting one that no broadcast would ever reach.
            connections.save(request.getConnectionId(), sourceIp);
            LOG.info("connected {} from {}", request.getConnectionId(), sourceIp);
            return Responses.ok();
        });
    }
}
