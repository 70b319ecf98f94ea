package dev.edgewire.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Many WebSocket clients on one stage, as browsers would hold them: each counts the envelopes it
 * receives; an optional observer sees every text message with its arrival time.
 */
final class WsFleet implements AutoCloseable {

    /** A whole text message and when its last frame arrived ({@link System#nanoTime()}). */
    record Received(int client, String text, long nanos) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    private final List<WebSocket> sockets = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private volatile Consumer<Received> observer = r -> { };

    /** Opens {@code n} connections, at most 64 handshakes at once (each runs the authorizer and a store write). */
    static WsFleet open(URI stage, int n) throws Exception {
        WsFleet fleet = new WsFleet();
        Semaphore handshakes = new Semaphore(64);
        List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            handshakes.acquire();
            int client = i;
            CompletableFuture<WebSocket> f = fleet.http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60))
                    .buildAsync(stage, fleet.new Listener(client));
            f.whenComplete((ws, e) -> handshakes.release());
            pending.add(f);
        }
        for (CompletableFuture<WebSocket> f : pending) {
            fleet.sockets.add(f.get(120, TimeUnit.SECONDS));
        }
        return fleet;
    }

    int size() {
        return sockets.size();
    }

    long received() {
        return received.get();
    }

    void observe(Consumer<Received> observer) {
        this.observer = observer;
    }

    /** Waits until the fleet has received {@code total} messages in all, or the timeout passes. */
    boolean awaitReceived(long total, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.get() < total) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    @Override
    public void close() {
        for (WebSocket s : sockets) {
            s.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
        for (WebSocket s : sockets) {
            s.abort();
        }
        http.close();
    }

    private final class Listener implements WebSocket.Listener {
        private final int client;
        private final StringBuilder partial = new StringBuilder();

        Listener(int client) {
            this.client = client;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long now = System.nanoTime();
                String text = partial.toString();
                partial.setLength(0);
                received.incrementAndGet();
                observer.accept(new Received(client, text, now));
            }
            return null;
        }
    }
}
