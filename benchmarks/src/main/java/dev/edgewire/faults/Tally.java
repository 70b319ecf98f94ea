package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.standins.clients.Envelopes;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * A WebSocket client of the stage that counts what reaches it: telemetry envelopes by
 * (deviceId, seq), and chat messages by text. The receiving end of every count in the report.
 */
final class Tally implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WsClient client;
    /** deviceId -> seq -> times received. */
    private final Map<String, TreeMap<Long, Integer>> readings = new HashMap<>();
    /** Chat message text -> times received. */
    private final Map<String, Integer> messages = new HashMap<>();
    /** Chat message text -> the connection id that sent it. */
    private final Map<String, String> senders = new HashMap<>();
    private final List<String> others = new ArrayList<>();
    private int othersTaken;

    private Tally(WsClient client) {
        this.client = client;
    }

    static Tally connect(URI stage) throws Exception {
        return new Tally(WsClient.connect(stage));
    }

    static Tally connect(HttpClient http, URI stage) throws Exception {
        return new Tally(WsClient.connect(http, stage));
    }

    WsClient client() {
        return client;
    }

    /** Moves what arrived so far into the counts. */
    synchronized void drain() {
        String text;
        while ((text = client.messages().poll()) != null) {
            List<JsonNode> envelopes = Envelopes.of(text);
            for (JsonNode node : envelopes) {
                switch (node.path("type").asText()) {
                    case "telemetry" -> readings.computeIfAbsent(node.path("deviceId").asText(), d -> new TreeMap<>())
                            .merge(node.path("reading").path("seq").asLong(), 1, Integer::sum);
                    case "message" -> {
                        messages.merge(node.path("message").asText(), 1, Integer::sum);
                        senders.put(node.path("message").asText(), node.path("from").asText());
                    }
                    // A message of one envelope is kept as it came (API Gateway's replies are not compact JSON).
                    default -> others.add(envelopes.size() == 1 ? text : node.toString());
                }
            }
        }
    }

    /** Distinct seqs of {@code deviceId} received. */
    synchronized int distinct(String deviceId) {
        drain();
        return readings.getOrDefault(deviceId, new TreeMap<>()).size();
    }

    /** The counts for readings {@code 0..sent-1} of {@code deviceId}. */
    Counts counts(String deviceId, long sent) {
        return union(deviceId, sent, List.of(this));
    }

    /**
     * The counts for readings {@code 0..sent-1} of {@code deviceId} over several receivers together, as if
     * one client had been connected throughout: a seq is received if any of them got it, and every copy
     * beyond the first, at whichever receiver, is a duplicate.
     */
    static Counts union(String deviceId, long sent, List<Tally> receivers) {
        Map<Long, Integer> copies = new TreeMap<>();
        for (Tally receiver : receivers) {
            receiver.seqs(deviceId).forEach((seq, n) -> copies.merge(seq, n, Integer::sum));
        }
        long received = 0;
        long duplicated = 0;
        long unexpected = 0;
        for (var e : copies.entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= sent) {
                unexpected++;
                continue;
            }
            received++;
            duplicated += e.getValue() - 1;
        }
        return new Counts(sent, received, sent - received, duplicated, unexpected);
    }

    /** Seq -> copies received, of {@code deviceId}. */
    synchronized Map<Long, Integer> seqs(String deviceId) {
        drain();
        return new TreeMap<>(readings.getOrDefault(deviceId, new TreeMap<>()));
    }

    /** The seqs of {@code 0..sent-1} that never arrived, in order. */
    synchronized List<Long> missingSeqs(String deviceId, long sent) {
        drain();
        TreeMap<Long, Integer> seqs = readings.getOrDefault(deviceId, new TreeMap<>());
        List<Long> missing = new ArrayList<>();
        for (long seq = 0; seq < sent; seq++) {
            if (!seqs.containsKey(seq)) {
                missing.add(seq);
            }
        }
        return missing;
    }

    /** How often a chat message with this text arrived. */
    synchronized int messageCount(String text) {
        drain();
        return messages.getOrDefault(text, 0);
    }

    /** The connection id that sent the chat message with this text, once it arrived here. */
    synchronized String senderOf(String text) {
        drain();
        return senders.get(text);
    }

    /** Whether reading {@code seq} of {@code deviceId} arrived. */
    synchronized boolean has(String deviceId, long seq) {
        drain();
        return readings.getOrDefault(deviceId, new TreeMap<>()).containsKey(seq);
    }

    /** Messages that were neither telemetry nor chat (error envelopes, API Gateway's error replies). */
    synchronized List<String> others() {
        drain();
        return List.copyOf(others);
    }

    /**
     * The next message other than telemetry or chat that no earlier call returned, waiting up to
     * {@code timeout}; null if none came. A reply that came before the call is not missed.
     */
    String nextOther(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (this) {
                drain();
                if (others.size() > othersTaken) {
                    return others.get(othersTaken++);
                }
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
            Thread.sleep(20);
        }
    }

    void send(String text) throws Exception {
        client.send(text);
    }

    /** Drops the TCP connection without a close frame. */
    void abort() {
        client.abort();
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (RuntimeException e) {
            client.abort();
        }
    }

    /** Waits until {@code done} holds or nothing has changed for {@code quiet}, at most {@code max}. */
    static boolean settle(BooleanSupplier done, java.util.function.LongSupplier progress, Duration quiet, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long last = progress.getAsLong();
        long lastChange = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline || System.nanoTime() - lastChange > quiet.toNanos()) {
                return false;
            }
            Thread.sleep(50);
            long now = progress.getAsLong();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
        return true;
    }

    /**
     * What a receiver counted for one stream.
     *
     * @param unexpected seqs outside {@code 0..sent-1} (none expected; a sign of a counting error)
     */
    record Counts(long sent, long received, long missing, long duplicated, long unexpected) {
    }
}
