package dev.edgewire.local.websocket;

import dev.edgewire.auth.SigV4Check;
import dev.edgewire.local.http.CloudCredentials;
import dev.edgewire.local.http.HttpIo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * API Gateway's {@code @connections} management API: {@code POST} sends data to a connection,
 * {@code GET} describes it, {@code DELETE} closes it; an unknown or closed id answers 410 with
 * {@code x-amzn-ErrorType: GoneException}, so {@code ApiGatewayManagementApiClient} raises the same
 * {@code GoneException} it raises against AWS. Requests must be SigV4-signed by the local identity,
 * as AWS requires IAM authorisation; the signature is checked over the request and its body. Paths with or without the stage prefix are accepted.
 */
public final class ConnectionsApi extends Handler.Wrapper {

    private static final Pattern PATH = Pattern.compile("^(?:/[^/@]+)?/@connections/([^/]+)$");
    private static final int MAX_DATA = 128 * 1024;
    /** API Gateway's words for a signature that does not match. */
    public static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature "
            + "you provided. Check your AWS Secret Access Key and signing method.";

    private final ConnectionRegistry registry;
    private final CloudCredentials cloud;

    public ConnectionsApi(ConnectionRegistry registry, CloudCredentials cloud, Handler next) {
        this.registry = registry;
        this.cloud = cloud;
        // As the wrapped handler, next is started, stopped and given the server along with this one.
        setHandler(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Matcher m = PATH.matcher(request.getHttpURI().getPath());
        if (!m.matches()) {
            return super.handle(request, response, callback);
        }
        byte[] data;
        try {
            data = HttpIo.body(request, MAX_DATA);
        } catch (HttpIo.TooLarge e) {
            return error(response, callback, 413, "PayloadTooLargeException", "Message too long");
        }
        switch (cloud.check(request, data)) {
            case VALID -> { }
            case MISMATCH -> {
                return error(response, callback, 403, "InvalidSignatureException", SIGNATURE_MISMATCH);
            }
            case EXPIRED -> {
                return error(response, callback, 403, "InvalidSignatureException", "Signature expired: X-Amz-Date is "
                        + "missing or more than " + SigV4Check.MAX_SKEW.toMinutes() + " minutes from the server's time");
            }
            case MISSING, UNKNOWN_KEY -> {
                return error(response, callback, 403, "ForbiddenException",
                        "Missing or wrong SigV4 signature; sign with the local credentials");
            }
        }
        String id = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        Optional<LocalConnection> connection = registry.open(id);
        if (connection.isEmpty()) {
            return error(response, callback, 410, "GoneException", null);
        }
        String method = request.getMethod();
        if (HttpMethod.POST.is(method)) {
            // Answer when the frame is written, without holding a server thread while it is.
            connection.get().send(new String(data, StandardCharsets.UTF_8)).thenAccept(delivered -> {
                if (delivered) {
                    HttpIo.json(response, callback, 200, "{}");
                } else {
                    error(response, callback, 410, "GoneException", null);
                }
            });
            return true;
        }
        if (HttpMethod.GET.is(method)) {
            LocalConnection c = connection.get();
            // Field names as the service model has them, which is what the SDK reads.
            String json = "{\"connectedAt\":\"" + Instant.ofEpochMilli(c.connectedAt()) + "\","
                    + "\"identity\":{\"sourceIp\":\"" + c.sourceIp() + "\",\"userAgent\":\""
                    + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                            .quoteAsString(c.userAgent())) + "\"},"
                    + "\"lastActiveAt\":\"" + Instant.ofEpochMilli(c.lastActiveAt()) + "\"}";
            return HttpIo.json(response, callback, 200, json);
        }
        if (HttpMethod.DELETE.is(method)) {
            connection.get().close(StatusCode.NORMAL, "Closed by the application");
            response.setStatus(204);
            callback.succeeded();
            return true;
        }
        response.getHeaders().put("Allow", "GET, POST, DELETE");
        return error(response, callback, 405, "MethodNotAllowedException", "Use GET, POST or DELETE");
    }

    private static boolean error(Response response, Callback callback, int status, String type, String message) {
        response.getHeaders().put("x-amzn-ErrorType", type);
        String body = message == null ? "{\"message\":null}" : "{\"message\":\"" + message + "\"}";
        return HttpIo.json(response, callback, status, body);
    }
}
