package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.standins.clients.Envelopes;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Many WebSocket watchers of one stage, as browsers would hold them, over one shared HTTP client. Each
 * counts what reaches it: every copy of every reading by (deviceId, seq), and every copy of the chat
 * messages the scenario numbered ({@code <prefix><n>}). A reading counts per watcher: {@link #readings}
 * expects each watcher to get each reading, so "sent" is readings times watchers.
 */
final class Watchers implements AutoCloseable {

    /** Sees every reading a watcher receives, the first copy and the others, as it arrives. */
    @FunctionalInterface
    interface ReadingListener {
        void reading(Watcher watcher, String deviceId, long seq, long receivedAtMillis, long arrivedNanos, boolean first);
    }

    /** One watcher: its connection and its counts. */
    static final class Watcher {
        final int index;
        private WsClient client;
        private volatile String connectionId;
        /** deviceId -> copies received, by seq. */
        private final Map<String, int[]> copies = new HashMap<>();
        private final BitSet messages = new BitSet();
        private long messageCopies;
        private final List<String> others = new ArrayList<>();
        private long lastOtherNanos;

        private Watcher(int index) {
            this.index = index;
        }

        /** Its connection id, once {@link #learnConnectionIds} has run. */
        String connectionId() {
            return connectionId;
        }

        /** Records a copy of a reading; true for its first. */
        private synchronized boolean reading(String deviceId, long seq) {
            if (seq < 0 || seq > Integer.MAX_VALUE - 1) {
                return false;
            }
            int[] bySeq = copies.computeIfAbsent(deviceId, d -> new int[64]);
            if (seq >= bySeq.length) {
                bySeq = Arrays.copyOf(bySeq, Math.max(bySeq.length * 2, (int) seq + 1));
                copies.put(deviceId, bySeq);
            }
            return bySeq[(int) seq]++ == 0;
        }

        private synchronized void message(int n) {
            messages.set(n);
            messageCopies++;
        }

        private synchronized void other(String text) {
            others.add(text);
            lastOtherNanos = System.nanoTime();
        }

        /** When the last message that was neither a reading nor chat arrived ({@link System#nanoTime()}), or 0. */
        synchronized long lastOtherNanos() {
            return lastOtherNanos;
        }

        /** Copies of reading {@code seq} of {@code deviceId} received. */
        synchronized int copies(String deviceId, long seq) {
            int[] bySeq = copies.get(deviceId);
            return bySeq == null || seq >= bySeq.length ? 0 : bySeq[(int) seq];
        }

        /** Distinct numbered messages received. */
        synchronized int messages() {
            return messages.cardinality();
        }

        /** Copies of numbered messages beyond the first of each. */
        synchronized long messageDuplicates() {
            return messageCopies - messages.cardinality();
        }

        /** Messages that were neither readings nor chat (error envelopes, API Gateway's error replies). */
        synchronized List<String> others() {
            return List.copyOf(others);
        }

        void send(String text) throws Exception {
            client.send(text);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    private final List<Watcher> watchers = new ArrayList<>();
    private final String messagePrefix;
    private final String whoami = "whoami-" + Long.toHexString(System.nanoTime()) + "-";
    private volatile ReadingListener listener = (w, d, s, r, a, f) -> { };

    private Watchers(String messagePrefix) {
        this.messagePrefix = messagePrefix;
    }

    /**
     * Connects {@code n} watchers, at most 32 handshakes at once (each runs the authorizer and a store write).
     *
     * @param messagePrefix chat messages {@code <prefix><n>} are counted by {@code n}; others are ignored
     */
    static Watchers open(URI stage, int n, String messagePrefix) throws Exception {
        Watchers fleet = new Watchers(messagePrefix);
        Semaphore handshakes = new Semaphore(32);
        List<CompletableFuture<WsClient>> pending = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Watcher watcher = new Watcher(i);
                fleet.watchers.add(watcher);
                handshakes.acquire();
                CompletableFuture<WsClient> opening = WsClient.builder(stage).http(fleet.http)
                        .connectTimeout(Duration.ofSeconds(60)).onMessage(m -> fleet.received(watcher, m)).connectAsync();
                opening.whenComplete((client, e) -> handshakes.release());
                pending.add(opening);
            }
            for (int i = 0; i < n; i++) {
                fleet.watchers.get(i).client = pending.get(i).get(2, TimeUnit.MINUTES);
            }
            return fleet;
        } catch (Exception | Error e) {
            pending.forEach(p -> p.thenAccept(WsClient::abort));
            fleet.http.close();
            throw e;
        }
    }

    List<Watcher> all() {
        return watchers;
    }

    int size() {
        return watchers.size();
    }

    void listen(ReadingListener listener) {
        this.listener = listener;
    }

    private void received(Watcher watcher, WsClient.Message message) {
        List<JsonNode> envelopes = Envelopes.of(message.text());
        for (JsonNode node : envelopes) {
            switch (node.path("type").asText()) {
                case "telemetry" -> {
                    String deviceId = node.path("deviceId").asText();
                    long seq = node.path("reading").path("seq").asLong(-1);
                    boolean first = watcher.reading(deviceId, seq);
                    listener.reading(watcher, deviceId, seq, node.path("receivedAt").asLong(), message.arrivedNanos(), first);
                }
                case "message" -> {
                    String text = node.path("message").asText();
                    if (text.startsWith(whoami) && text.equals(whoami + watcher.index)) {
                        watcher.connectionId = node.path("from").asText();
                    } else if (messagePrefix != null && text.startsWith(messagePrefix)) {
                        try {
                            watcher.message(Integer.parseInt(text.substring(messagePrefix.length())));
                        } catch (NumberFormatException notOurs) {
                            watcher.other(text);
                        }
                    }
                }
                default -> watcher.other(envelopes.size() == 1 ? message.text() : node.toString());
            }
        }
    }

    /**
     * Each watcher sends a chat message naming itself and reads its own connection id from the {@code from}
     * of that message when it comes back (a sender gets its own message).
     */
    void learnConnectionIds(Duration timeout) throws Exception {
        for (Watcher w : watchers) {
            w.send("{\"action\":\"sendMessage\",\"message\":\"" + whoami + w.index + "\"}");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (watchers.stream().anyMatch(w -> w.connectionId == null)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(watchers.stream().filter(w -> w.connectionId == null).count()
                        + " watchers did not get their own message back within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /**
     * The counts of readings {@code from..to-1} of {@code deviceId} at the watchers {@code which} passes: each
     * should get each reading once, so sent is readings times watchers.
     */
    Tally.Counts readings(String deviceId, long from, long to, Predicate<Watcher> which) {
        long sent = 0;
        long received = 0;
        long duplicated = 0;
        for (Watcher w : watchers) {
            if (!which.test(w)) {
                continue;
            }
            for (long seq = from; seq < to; seq++) {
                int n = w.copies(deviceId, seq);
                sent++;
                if (n > 0) {
                    received++;
                    duplicated += n - 1;
                }
            }
        }
        return new Tally.Counts(sent, received, sent - received, duplicated, 0);
    }

    Tally.Counts readings(String deviceId, long from, long to) {
        return readings(deviceId, from, to, w -> true);
    }

    /** Sum of several counts. */
    static Tally.Counts sum(List<Tally.Counts> counts) {
        return new Tally.Counts(counts.stream().mapToLong(Tally.Counts::sent).sum(),
                counts.stream().mapToLong(Tally.Counts::received).sum(),
                counts.stream().mapToLong(Tally.Counts::missing).sum(),
                counts.stream().mapToLong(Tally.Counts::duplicated).sum(),
                counts.stream().mapToLong(Tally.Counts::unexpected).sum());
    }

    /** Distinct readings of {@code deviceId} in {@code from..to-1} that every watcher has. */
    long everywhere(String deviceId, long from, long to) {
        long n = 0;
        for (long seq = from; seq < to; seq++) {
            final long s = seq;
            if (watchers.stream().allMatch(w -> w.copies(deviceId, s) > 0)) {
                n++;
            }
        }
        return n;
    }

    /** Close frames to all at once, without waiting for any, then the sockets and the shared client go. */
    @Override
    public void close() {
        for (Watcher w : watchers) {
            if (w.client != null) {
                w.client.socket().sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
            }
        }
        for (Watcher w : watchers) {
            if (w.client != null) {
                w.client.abort();
            }
        }
        http.close();
    }
}
