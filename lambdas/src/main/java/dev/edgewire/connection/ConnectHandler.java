package dev.edgewire.connection;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.auth.TokenAuthorizer;
import dev.edgewire.contract.Topology.ConnectionsPerSubject;
import dev.edgewire.runtime.Logging;
import dev.edgewire.runtime.Responses;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code $connect}: takes one of the token subject's places ({@link ConnectionsPerSubject}), then
 * remembers the connection so broadcasts reach it. A subject that holds all its places is refused
 * with {@value ConnectionsPerSubject#REFUSED_STATUS}, which API Gateway answers the handshake with.
 */
public final class ConnectHandler
        implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectHandler.class);

    private final ConnectionRepository connections;
    private final int maxPerSubject;

    public ConnectHandler(ConnectionRepository connections) {
        this(connections, ConnectionsPerSubject.MAX);
    }

    /** @param maxPerSubject open connections one token subject may hold */
    public ConnectHandler(ConnectionRepository connections, int maxPerSubject) {
        this.connections = Objects.requireNonNull(connections, "connections");
        if (maxPerSubject < 1) {
            throw new IllegalArgumentException("maxPerSubject must be at least 1, was " + maxPerSubject);
        }
        this.maxPerSubject = maxPerSubject;
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Logging.withContext(context, () -> {
            var request = event.getRequestContext();
            String connectionId = request.getConnectionId();
            String sourceIp = request.getIdentity() == null ? null : request.getIdentity().getSourceIp();
            String subject = subjectOf(request.getAuthorizer());
            if (subject == null) {
                // $connect is authorized: without the authorizer's subject the connection cannot be counted.
                LOG.warn("refused {} from {}: no token subject from the authorizer", connectionId, sourceIp);
                return Responses.status(403);
            }
            Optional<String> place = connections.holdPlace(subject, connectionId, maxPerSubject);
            if (place.isEmpty()) {
                LOG.warn("refused {} from {}: {} already holds {} connections", connectionId, sourceIp, subject,
                        maxPerSubject);
                return Responses.status(ConnectionsPerSubject.REFUSED_STATUS);
            }
            try {
                // A failure here propagates: API Gateway then refuses the connection, which is better
                // than accepting one that no broadcast would ever reach.
                connections.save(connectionId, sourceIp, subject, place.get());
            } catch (RuntimeException e) {
                try {
                    connections.freePlace(subject, place.get());
                } catch (RuntimeException alsoFailed) {
                    e.addSuppressed(alsoFailed);
                }
                throw e;
            }
            LOG.info("connected {} from {} for {}", connectionId, sourceIp, subject);
            return Responses.ok();
        });
    }

    static String subjectOf(Map<String, Object> authorizer) {
        Object subject = authorizer == null ? null : authorizer.get(TokenAuthorizer.SUBJECT);
        return subject == null || subject.toString().isBlank() ? null : subject.toString();
    }
}
