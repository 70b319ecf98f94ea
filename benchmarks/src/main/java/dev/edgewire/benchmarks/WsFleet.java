package dev.edgewire.benchmarks;

import dev.edgewire.standins.clients.Envelopes;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Many WebSocket clients on one stage, as browsers would hold them, sharing one HTTP client: the fleet
 * counts the messages they receive, without keeping them; an optional observer sees every one with its
 * arrival time.
 */
final class WsFleet implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    private final List<WsClient> clients = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private volatile Consumer<WsClient.Message> observer = m -> { };

    /**
     * Opens {@code n} connections, at most 64 handshakes at once (each runs the authorizer and a store write),
     * connection {@code i} on {@code stages.apply(i)} (each with a token of its own).
     */
    static WsFleet open(IntFunction<URI> stages, int n) throws Exception {
        WsFleet fleet = new WsFleet();
        Semaphore handshakes = new Semaphore(64);
        List<CompletableFuture<WsClient>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            handshakes.acquire();
            CompletableFuture<WsClient> f = WsClient.builder(stages.apply(i)).http(fleet.http).connectTimeout(Duration.ofSeconds(60))
                    .onMessage(fleet::received).connectAsync();
            f.whenComplete((client, e) -> handshakes.release());
            pending.add(f);
        }
        for (CompletableFuture<WsClient> f : pending) {
            fleet.clients.add(f.get(120, TimeUnit.SECONDS));
        }
        return fleet;
    }

    private void received(WsClient.Message message) {
        messages.incrementAndGet();
        received.addAndGet(Envelopes.count(message.text()));
        observer.accept(message);
    }

    int size() {
        return clients.size();
    }

    long received() {
        return received.get();
    }

    /** WebSocket messages received in all (a batch message carries several envelopes). */
    long messages() {
        return messages.get();
    }

    void observe(Consumer<WsClient.Message> observer) {
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

    /** Close frames to all at once, without waiting for any, then the sockets and the shared client go. */
    @Override
    public void close() {
        for (WsClient c : clients) {
            c.socket().sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
        for (WsClient c : clients) {
            c.abort();
        }
        http.close();
    }
}
