package dev.edgewire.local.websocket;

import dev.edgewire.local.http.CloudCredentials;
import dev.edgewire.local.http.HttpIo;
import dev.edgewire.standins.connections.ConnectionsApi;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Local mode's {@code @connections} management API on its web server, over the live WebSocket
 * connections: {@link ConnectionsApi} says what each call answers. Requests must be SigV4-signed by
 * the local identity, as AWS requires IAM authorisation; the signature is checked over the request
 * and its body. Posts to a connection that {@link PostRefusals} names are refused while the refusal
 * lasts (fault injection). Other paths go to the wrapped handler.
 */
public final class ConnectionsApiHandler extends Handler.Wrapper {

    private final ConnectionRegistry registry;
    private final CloudCredentials cloud;
    private final PostRefusals refusals;

    public ConnectionsApiHandler(ConnectionRegistry registry, CloudCredentials cloud, PostRefusals refusals, Handler next) {
        this.registry = registry;
        this.cloud = cloud;
        this.refusals = refusals;
        // As the wrapped handler, next is started, stopped and given the server along with this one.
        setHandler(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Optional<String> id = ConnectionsApi.connectionId(request.getHttpURI().getPath());
        if (id.isEmpty()) {
            return super.handle(request, response, callback);
        }
        byte[] data;
        try {
            data = HttpIo.body(request, ConnectionsApi.MAX_DATA);
        } catch (HttpIo.TooLarge e) {
            return reply(response, callback, ConnectionsApi.tooLarge());
        }
        Optional<ConnectionsApi.Reply> refused = ConnectionsApi.refusal(cloud.check(request, data, ConnectionsApi.SIGNING_NAME));
        if (refused.isPresent()) {
            return reply(response, callback, refused.get());
        }
        if ("POST".equals(request.getMethod())) {
            Optional<ConnectionsApi.Reply> limited = refusals.refusal(id.get());
            if (limited.isPresent()) {
                return reply(response, callback, limited.get());
            }
        }
        ConnectionsApi.serve(request.getMethod(), id.get(), data, registry::open)
                .thenAccept(reply -> reply(response, callback, reply));
        return true;
    }

    private static boolean reply(Response response, Callback callback, ConnectionsApi.Reply reply) {
        if (reply.errorType() != null) {
            response.getHeaders().put("x-amzn-ErrorType", reply.errorType());
        }
        if (reply.status() == 405) {
            response.getHeaders().put("Allow", "GET, POST, DELETE");
        }
        if (reply.body().isEmpty()) {
            response.setStatus(reply.status());
            callback.succeeded();
            return true;
        }
        return HttpIo.json(response, callback, reply.status(), reply.body());
    }
}
