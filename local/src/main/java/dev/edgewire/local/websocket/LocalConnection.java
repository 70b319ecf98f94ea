package dev.edgewire.local.websocket;

import dev.edgewire.standins.connections.ConnectionsApi;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/** One client connection of the local WebSocket API, from the upgrade until {@code $disconnect} has run. */
public final class LocalConnection implements ConnectionsApi.Connection {

    private final String id;
    private final long connectedAt;
    private final String sourceIp;
    private final String userAgent;
    private final Map<String, Object> authorizerContext;
    private final CompletableFuture<Session> session = new CompletableFuture<>();
    private final AtomicBoolean disconnected = new AtomicBoolean();
    private volatile long lastActiveAt;

    LocalConnection(String id, long connectedAt, String sourceIp, String userAgent,
            Map<String, Object> authorizerContext) {
        this.id = id;
        this.connectedAt = connectedAt;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
        this.authorizerContext = Map.copyOf(authorizerContext);
        this.lastActiveAt = connectedAt;
    }

    public String id() {
        return id;
    }

    @Override
    public long connectedAt() {
        return connectedAt;
    }

    @Override
    public long lastActiveAt() {
        return lastActiveAt;
    }

    @Override
    public String sourceIp() {
        return sourceIp;
    }

    @Override
    public String userAgent() {
        return userAgent;
    }

    Map<String, Object> authorizerContext() {
        return authorizerContext;
    }

    void opened(Session s) {
        session.complete(s);
    }

    void touch() {
        lastActiveAt = System.currentTimeMillis();
    }

    /** True the first time only: {@code $disconnect} runs once however the connection ends. */
    boolean markDisconnected() {
        return disconnected.compareAndSet(false, true);
    }

    /** Whether messages can still be delivered. */
    public boolean isOpen() {
        return !disconnected.get();
    }

    /**
     * Sends a text frame without blocking the caller; completes with false if the connection is
     * gone. A broadcast can race the handshake right after {@code $connect}, so a send waits for
     * the upgrade to finish, briefly.
     */
    @Override
    public CompletableFuture<Boolean> send(String text) {
        if (disconnected.get()) {
            return CompletableFuture.completedFuture(false);
        }
        return session.orTimeout(5, TimeUnit.SECONDS).thenCompose(s -> {
            if (!s.isOpen()) {
                return CompletableFuture.completedFuture(false);
            }
            CompletableFuture<Boolean> sent = new CompletableFuture<>();
            s.sendText(text, Callback.from(() -> {
                lastActiveAt = System.currentTimeMillis();
                sent.complete(true);
            }, failure -> sent.complete(false)));
            return sent;
        }).exceptionally(failure -> false);
    }

    /** Closes the socket normally, as the application asked through {@code DELETE @connections}. */
    @Override
    public void close() {
        close(StatusCode.NORMAL, "Closed by the application");
    }

    /** Closes the socket; {@code $disconnect} follows from the close callback. */
    public void close(int statusCode, String reason) {
        session.thenAccept(s -> s.close(statusCode, reason, Callback.NOOP));
    }
}
