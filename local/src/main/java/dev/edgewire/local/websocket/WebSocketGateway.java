package dev.edgewire.local.websocket;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.local.cost.BillingUnits;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.local.lambda.LocalLambdas;
import dev.edgewire.local.policy.AuthorizerPolicy;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.Function;
import dev.edgewire.contract.Topology.Route;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API Gateway's WebSocket API, locally: the upgrade runs the token authorizer and {@code $connect}
 * before it completes; each text message is routed on {@link Topology#ROUTE_SELECTION_EXPRESSION}
 * ({@code action}) to its route's function, or to {@code $default}; every close, clean or abrupt,
 * runs {@code $disconnect}. API Gateway's limits hold: frames, messages, idle time and connection
 * lifetime, from {@link Limits}. The events are {@link ApiGatewayEvents}; the authorizer's answer is
 * read by {@link AuthorizerPolicy}. The {@link CostMeter} counts what API Gateway bills: each message a client
 * sends and each written to it, and each connection's minutes from {@code $connect} to its end.
 */
public final class WebSocketGateway {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketGateway.class);

    /** API Gateway's WebSocket limits; tests shorten the durations. */
    public record Limits(int maxFrameBytes, int maxMessageBytes, Duration idleTimeout, Duration maxConnectionDuration) {
        public static Limits apiGateway() {
            return new Limits(32 * 1024, 128 * 1024, Duration.ofMinutes(10), Duration.ofHours(2));
        }
    }

    private final LocalLambdas lambdas;
    private final CostMeter meter;
    private final ConnectionRegistry registry;
    private final Limits limits;
    private final ApiGatewayEvents events;
    private final ObjectMapper mapper;
    private final ExecutorService invocations = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "websocket-lifetime");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private final RouteThrottles throttles = new RouteThrottles();
    private final AtomicLong throttled = new AtomicLong();

    public WebSocketGateway(LocalLambdas lambdas, ConnectionRegistry registry, Limits limits, String stage,
            ObjectMapper mapper, CostMeter meter) {
        this.lambdas = lambdas;
        this.meter = meter;
        this.registry = registry;
        this.limits = limits;
        this.events = new ApiGatewayEvents(stage);
        this.mapper = mapper;
    }

    /** The upgrade handler; plain HTTP requests go on to {@code next}. */
    public Handler handler(Server server, Handler next) {
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxFrameSize(limits.maxFrameBytes());
            // Jetty would split an oversized frame instead of refusing it; API Gateway refuses it.
            container.setAutoFragment(false);
            container.setMaxTextMessageSize(limits.maxMessageBytes());
            container.setMaxBinaryMessageSize(limits.maxMessageBytes());
            container.setIdleTimeout(limits.idleTimeout());
            container.addMapping("/*", this::upgrade);
        });
        upgrade.setHandler(next);
        return upgrade;
    }

    public void domainName(String domainName) {
        events.domainName(domainName);
    }

    /**
     * Closes every connection with 1001 (going away) and waits until {@code $disconnect} has run for
     * each, as API Gateway does when a stage goes away.
     */
    public void shutdown(Duration wait) {
        registry.all().forEach(c -> c.close(StatusCode.SHUTDOWN, "Going away"));
        long deadline = System.nanoTime() + wait.toNanos();
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timers.shutdownNow();
        if (throttled.get() > 0) {
            LOG.info("messages refused over their route's throttle: {} in all", throttled.get());
        }
        invocations.shutdown();
        try {
            invocations.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Object upgrade(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        String connectionId = newConnectionId();
        String sourceIp = Request.getRemoteAddr(request);
        String userAgent = Optional.ofNullable(request.getHeaders().get("User-Agent")).orElse("");
        Map<String, String> headers = headers(request);
        Map<String, String> query = query(request);
        long connectedAt = System.currentTimeMillis();

        if (!throttles.admit("$connect")) {
            countThrottled("$connect", sourceIp);
            return reject(request, response, callback, 429, "Too Many Requests");
        }
        Optional<Route> connect = Topology.route("$connect");
        Map<String, Object> authorizerContext = Map.of();
        if (connect.isPresent() && connect.get().authorized()) {
            String token = query.get(Topology.TOKEN_QUERY_PARAMETER);
            if (token == null || token.isBlank()) {
                // API Gateway answers 401 without calling the authorizer when the identity source is missing.
                LOG.info("refused connection from {}: no {} query parameter", sourceIp, Topology.TOKEN_QUERY_PARAMETER);
                return reject(request, response, callback, 401, "Unauthorized");
            }
            try {
                Object result = lambdas.invoke(Function.AUTHORIZER, events.authorizer(headers, query, sourceIp));
                // Read from the response's JSON form, as API Gateway reads it, whatever type the handler returned.
                Optional<Map<String, Object>> allowed = AuthorizerPolicy.allowedContext(mapper.valueToTree(result),
                        events.connectMethodArn());
                if (allowed.isEmpty()) {
                    LOG.info("refused connection from {}: the authorizer denied the token", sourceIp);
                    return reject(request, response, callback, 403, "Forbidden");
                }
                authorizerContext = allowed.get();
            } catch (RuntimeException e) {
                LOG.warn("authorizer failed for a connection from {}: {}", sourceIp, e.toString());
                return reject(request, response, callback, 500, "Internal server error");
            }
        }

        LocalConnection connection = new LocalConnection(connectionId, connectedAt, sourceIp, userAgent, authorizerContext,
                limits.maxFrameBytes(), meter);
        registry.add(connection);
        try {
            int status = ApiGatewayEvents.status(lambdas.invoke(Function.CONNECT,
                    events.connect(connection, headers, query)));
            if (status < 200 || status > 299) {
                registry.remove(connectionId);
                return reject(request, response, callback, status, status == 429 ? "Too Many Requests" : "Forbidden");
            }
        } catch (RuntimeException e) {
            registry.remove(connectionId);
            LOG.warn("$connect failed for {}: {}", connectionId, e.toString());
            return reject(request, response, callback, 500, "Internal server error");
        }
        meter.webSocketConnected(connectionId, connectedAt);
        return new Endpoint(connection);
    }

    private static Object reject(Request request, Response response, Callback callback, int status, String message) {
        Response.writeError(request, response, callback, status, message);
        return null;
    }

    /** The server side of one client connection. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        private final LocalConnection connection;

        Endpoint(LocalConnection connection) {
            this.connection = connection;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            connection.opened(session);
            timers.schedule(() -> connection.close(StatusCode.SHUTDOWN, "Going away"),
                    limits.maxConnectionDuration().toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onWebSocketText(String message) {
            connection.touch();
            meter.webSocketMessageIn(BillingUnits.utf8Length(message));
            invocations.execute(() -> route(connection, message, false));
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            connection.touch();
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            callback.succeed();
            meter.webSocketMessageIn(bytes.length);
            invocations.execute(() -> route(connection, Base64.getEncoder().encodeToString(bytes), true));
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            LOG.debug("connection {} failed: {}", connection.id(), cause.toString());
            disconnect(connection);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            disconnect(connection);
        }
    }

    private void route(LocalConnection connection, String body, boolean base64) {
        String routeKey = base64 ? "$default" : selectRoute(body);
        Function function = Topology.route(routeKey).orElseThrow().function();
        APIGatewayV2WebSocketEvent event = events.message(connection, routeKey, newConnectionId(), body, base64);
        String requestId = event.getRequestContext().getRequestId();
        if (!throttles.admit(routeKey)) {
            countThrottled(routeKey, connection.id());
            connection.send(gatewayError("Too Many Requests", connection, requestId)).join();
            return;
        }
        try {
            lambdas.invoke(function, event);
        } catch (RuntimeException e) {
            LOG.warn("{} failed for {}: {}", routeKey, connection.id(), e.toString());
            connection.send(gatewayError("Internal server error", connection, requestId)).join();
        }
    }

    /** Counts a request refused over its route's throttle; logs the first, the second, the fourth and so on. */
    private void countThrottled(String routeKey, String from) {
        long refused = throttled.incrementAndGet();
        if (Long.bitCount(refused) == 1) {
            LOG.info("{} from {} is over the route's throttle: refused with 429; {} throttled so far", routeKey, from,
                    refused);
        }
    }

    /**
     * What API Gateway sends a client whose message it could not hand to the route's function: a
     * failed integration ("Internal server error") or a throttled route (429, "Too Many Requests").
     */
    private static String gatewayError(String message, LocalConnection connection, String requestId) {
        return "{\"message\": \"" + message + "\", \"connectionId\":\"" + connection.id()
                + "\", \"requestId\":\"" + requestId + "\"}";
    }

    /** {@code $request.body.action}: the route named by {@code action}, else {@code $default}. */
    String selectRoute(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            if (node instanceof ObjectNode object && object.get("action") instanceof JsonNode action
                    && action.isTextual()) {
                String key = action.asText();
                if (Topology.actions().contains(key)) {
                    return key;
                }
            }
        } catch (Exception notJson) {
            // Not JSON: the selection expression has no value, so API Gateway takes $default.
        }
        return "$default";
    }

    private void disconnect(LocalConnection connection) {
        if (!connection.markDisconnected()) {
            return;
        }
        meter.webSocketDisconnected(connection.id(), meter.now());
        invocations.execute(() -> {
            try {
                lambdas.invoke(Function.DISCONNECT, events.disconnect(connection));
            } catch (RuntimeException e) {
                LOG.warn("$disconnect failed for {}: {}", connection.id(), e.toString());
            } finally {
                registry.remove(connection.id());
            }
        });
    }

    private String newConnectionId() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes).replace('/', '_').replace('+', '-');
    }

    private static Map<String, String> headers(Request request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.merge(field.getName(), field.getValue(), (a, b) -> a + "," + b);
        }
        return headers;
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> query = new LinkedHashMap<>();
        Fields fields = Request.extractQueryParameters(request);
        for (Fields.Field field : fields) {
            query.put(field.getName(), field.getValue());
        }
        return query;
    }
}
