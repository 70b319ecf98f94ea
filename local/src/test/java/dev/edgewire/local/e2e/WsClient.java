package dev.edgewire.local.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client of the local stage, as a browser or wscat is: it records what arrives and how it closes.
 * Public for the fault-injection suite in the benchmarks module.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    public final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    public WebSocket socket;

    public static WsClient connect(URI uri) throws Exception {
        return connect(HttpClient.newHttpClient(), uri);
    }

    /** Connects through {@code http}, which many clients may share (one selector thread for all). */
    public static WsClient connect(HttpClient http, URI uri) throws Exception {
        WsClient client = new WsClient();
        client.socket = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, client).get(20, TimeUnit.SECONDS);
        return client;
    }

    public void send(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /** The next message whose text contains {@code marker}, skipping others; fails after 15 s. */
    public String next(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            String m = messages.poll(200, TimeUnit.MILLISECONDS);
            if (m != null && m.contains(marker)) {
                return m;
            }
        }
        throw new AssertionError("no message containing " + marker);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }
}
