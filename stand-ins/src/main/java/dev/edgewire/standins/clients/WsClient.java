package dev.edgewire.standins.clients;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A WebSocket client of a stage, as a browser, wscat or Postman is (the JDK's client): it keeps every
 * text message that arrives, or hands each to a receiver, and records how the connection ended.
 *
 * <p>Local mode's end-to-end tests, the contract suite and the fault suite open one at a time
 * ({@link #connect(URI)}); the benchmarks open thousands through one shared {@link HttpClient}, one
 * selector thread for all, with a receiver that counts instead of keeping ({@link #builder(URI)}).
 */
public final class WsClient implements AutoCloseable {

    /** A whole text message and when its last frame arrived ({@link System#nanoTime()}). */
    public record Message(String text, long arrivedNanos) {
    }

    /** The stage answered the WebSocket upgrade with an HTTP error instead of 101. */
    public static final class Refused extends Exception {
        private final int status;

        Refused(int status, URI stage, Throwable cause) {
            super("The stage refused a WebSocket connection to " + withoutToken(stage) + " with HTTP " + status, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** How a connection is opened: over which HTTP client, how patiently, and where messages go. */
    public static final class Builder {
        private final URI stage;
        private HttpClient shared;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration patience = Duration.ofSeconds(20);
        private Consumer<Message> receiver;

        private Builder(URI stage) {
            this.stage = stage;
        }

        /** Connects through {@code http}, which many clients may share; closing the client leaves it open. */
        public Builder http(HttpClient http) {
            this.shared = http;
            return this;
        }

        /** How long the opening handshake may take (10 s unless set). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long {@link #connect()}, {@link #send} and {@link #next} wait (20 s unless set). */
        public Builder patience(Duration patience) {
            this.patience = patience;
            return this;
        }

        /**
         * Hands every text message to {@code receiver}, on the HTTP client's thread, instead of keeping it
         * in {@link #messages()}: what a client that only counts needs, however many messages arrive.
         */
        public Builder onMessage(Consumer<Message> receiver) {
            this.receiver = receiver;
            return this;
        }

        /** Opens the connection; a refused upgrade throws {@link Refused} with the HTTP status. */
        public WsClient connect() throws Exception {
            CompletableFuture<WsClient> opening = connectAsync();
            try {
                return opening.get(patience.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof WebSocketHandshakeException handshake) {
                        throw new Refused(handshake.getResponse().statusCode(), stage, e);
                    }
                }
                throw e;
            } catch (Exception e) {
                // Timed out or interrupted: a connection that opens after all is dropped at once.
                opening.thenAccept(WsClient::abort);
                throw e;
            }
        }

        /** Starts opening the connection; the client's own HTTP client, if any, is shut down if it fails. */
        public CompletableFuture<WsClient> connectAsync() {
            HttpClient http = shared != null ? shared : HttpClient.newHttpClient();
            WsClient client = new WsClient(http, shared == null, patience, receiver);
            return http.newWebSocketBuilder().connectTimeout(connectTimeout).buildAsync(stage, client.new Listener())
                    .thenApply(socket -> {
                        client.socket = socket;
                        return client;
                    })
                    .whenComplete((opened, failed) -> {
                        if (failed != null) {
                            client.releaseHttp();
                        }
                    });
        }
    }

    private final HttpClient http;
    private final boolean ownsHttp;
    private final Duration patience;
    private final Consumer<Message> receiver;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile WebSocket socket;

    private WsClient(HttpClient http, boolean ownsHttp, Duration patience, Consumer<Message> receiver) {
        this.http = http;
        this.ownsHttp = ownsHttp;
        this.patience = patience;
        this.receiver = receiver != null ? receiver : m -> messages.add(m.text());
    }

    public static Builder builder(URI stage) {
        return new Builder(stage);
    }

    /** Connects through an HTTP client of its own, which {@link #close()} shuts down. */
    public static WsClient connect(URI stage) throws Exception {
        return builder(stage).connect();
    }

    /** Connects through {@code http}, which many clients may share (one selector thread for all). */
    public static WsClient connect(HttpClient http, URI stage) throws Exception {
        return builder(stage).http(http).connect();
    }

    /** Sends one whole text message and waits until it is written. */
    public void send(String text) throws Exception {
        socket.sendText(text, true).get(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next kept message whose text contains {@code marker}, skipping others; fails after the patience. */
    public String next(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            String m = messages.poll(200, TimeUnit.MILLISECONDS);
            if (m != null && m.contains(marker)) {
                return m;
            }
        }
        throw new AssertionError("no message containing " + marker);
    }

    /** The text messages received and not yet taken (none if a receiver takes them). */
    public BlockingQueue<String> messages() {
        return messages;
    }

    /**
     * Completes with the code of the close frame that ended the connection, or exceptionally if it ended
     * without one (what a browser reports as 1006).
     */
    public CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    /** The JDK's socket, for what a well-behaved client would not do (oversized or binary frames). */
    public WebSocket socket() {
        return socket;
    }

    /** Drops the TCP connection without a close frame, as a laptop that sleeps or a phone that loses signal. */
    public void abort() {
        socket.abort();
        releaseHttp();
    }

    /** Sends a normal close frame (waiting up to 5 s for it to go out), then shuts down its own HTTP client. */
    @Override
    public void close() {
        try {
            if (socket != null && !socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            }
        } catch (Exception gone) {
            // The connection is gone already.
        } finally {
            releaseHttp();
        }
    }

    private void releaseHttp() {
        if (ownsHttp) {
            http.shutdownNow();
        }
    }

    static String withoutToken(URI stage) {
        return stage.toString().replaceAll("(token=)[^&]*", "$1***");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long arrived = System.nanoTime();
                String text = partial.toString();
                partial.setLength(0);
                receiver.accept(new Message(text, arrived));
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
    }
}
