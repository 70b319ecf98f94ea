package dev.edgewire.local.websocket;

import dev.edgewire.local.cost.BillingUnits;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.standins.connections.ConnectionsApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * One client connection of the local WebSocket API, from the upgrade until {@code $disconnect} has run.
 * Each message written to it is counted by the {@link CostMeter}, as API Gateway bills it.
 */
public final class LocalConnection implements ConnectionsApi.Connection {

    private final String id;
    private final long connectedAt;
    private final String sourceIp;
    private final String userAgent;
    private final Map<String, Object> authorizerContext;
    private final CostMeter meter;
    private final CompletableFuture<Session> session = new CompletableFuture<>();
    private final AtomicBoolean disconnected = new AtomicBoolean();
    private final int maxFrameBytes;
    private final Object sending = new Object();
    private CompletableFuture<Boolean> lastSend = CompletableFuture.completedFuture(true);
    private volatile long lastActiveAt;

    LocalConnection(String id, long connectedAt, String sourceIp, String userAgent,
            Map<String, Object> authorizerContext, int maxFrameBytes, CostMeter meter) {
        this.meter = meter;
        this.maxFrameBytes = maxFrameBytes;
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
     * Sends a text message without blocking the caller; completes with false if the connection is
     * gone. A broadcast can race the handshake right after {@code $connect}, so a send waits for
     * the upgrade to finish, briefly. A message larger than a frame goes in frames of at most
     * {@code maxFrameBytes}, as API Gateway splits what it sends; since the frames of one message
     * may not be interleaved with another's (RFC 6455, section 5.4), messages to one connection go
     * one after the other.
     */
    @Override
    public CompletableFuture<Boolean> send(String text) {
        if (disconnected.get()) {
            return CompletableFuture.completedFuture(false);
        }
        synchronized (sending) {
            CompletableFuture<Boolean> sent = lastSend
                    .thenCompose(previous -> session.orTimeout(5, TimeUnit.SECONDS))
                    .thenCompose(s -> s.isOpen() ? write(s, frames(text, maxFrameBytes), 0, text)
                            : CompletableFuture.completedFuture(false))
                    .exceptionally(failure -> false);
            lastSend = sent;
            return sent;
        }
    }

    private CompletableFuture<Boolean> write(Session s, List<String> frames, int index, String text) {
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        boolean last = index == frames.size() - 1;
        Callback written = Callback.from(() -> {
            if (last) {
                lastActiveAt = System.currentTimeMillis();
                meter.webSocketMessageOut(BillingUnits.utf8Length(text));
                sent.complete(true);
            } else {
                write(s, frames, index + 1, text).thenAccept(sent::complete);
            }
        }, failure -> sent.complete(false));
        if (frames.size() == 1) {
            s.sendText(text, written);
        } else {
            s.sendPartialText(frames.get(index), last, written);
        }
        return sent;
    }

    /**
     * {@code text} cut into pieces of at most {@code maxFrameBytes} in UTF-8, never inside a
     * character; one piece when it fits.
     */
    static List<String> frames(String text, int maxFrameBytes) {
        List<String> frames = new ArrayList<>();
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int width = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + width > maxFrameBytes) {
                frames.add(text.substring(start, i));
                start = i;
                bytes = 0;
            }
            bytes += width;
            i += Character.charCount(codePoint);
        }
        frames.add(text.substring(start));
        return frames;
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
