package dev.edgewire.benchmarks;

import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * WebSocket watchers of local mode, each keeping its own account of what reached it: every reading by
 * {@code (device, seq)}, so a reading missing at one watcher shows even when every other got it; the
 * WebSocket messages it received in each second; and, for all watchers together, the time from a
 * reading's intended publish to its arrival.
 *
 * <p>Readings carry {@code "seq"} (per device, from 0) and {@code "sentAt"} (microseconds on this
 * JVM's {@link System#nanoTime()} clock since {@code origin}). A message is scanned, not parsed:
 * each {@code "seq":} of a telemetry message belongs to the nearest {@code "deviceId":"} before it,
 * which is the envelope's or the reading's own (the rule writes the same thing name into both). The
 * watchers are spread over several HTTP clients, so one selector thread does not read for thousands.
 */
final class Watchers implements AutoCloseable {

    /** Watchers per HTTP client (one selector thread each). */
    private static final int PER_HTTP_CLIENT = 250;
    private static final String SEQ = "\"seq\":";
    private static final String SENT_AT = "\"sentAt\":";
    private static final String DEVICE_ID = "\"deviceId\":\"";
    private static final String RECEIVED_AT = "\"receivedAt\":";

    /** What one watcher received. Guarded by itself: its messages arrive one at a time, its counts are read at the end. */
    static final class Watcher {
        private final BitSet[] seen;
        private final int[] messagesPerSecond;
        private long messages;
        private long envelopes;
        private long duplicates;
        private long unknown;
        private long maxLatencyMicros;

        private Watcher(int devices, int seconds) {
            seen = new BitSet[devices];
            for (int d = 0; d < devices; d++) {
                seen[d] = new BitSet();
            }
            messagesPerSecond = new int[seconds];
        }

        synchronized long messages() {
            return messages;
        }

        synchronized long envelopes() {
            return envelopes;
        }

        synchronized long duplicates() {
            return duplicates;
        }

        synchronized long unknown() {
            return unknown;
        }

        synchronized long maxLatencyMicros() {
            return maxLatencyMicros;
        }

        /** Readings of {@code device} that were sent ({@code sent}) but never reached this watcher. */
        synchronized int missing(int device, BitSet sent) {
            BitSet missing = (BitSet) sent.clone();
            missing.andNot(seen[device]);
            return missing.cardinality();
        }

        /** Messages received in each second since the clock started, from {@code from} (inclusive) to {@code to} (exclusive). */
        synchronized int[] perSecond(int from, int to) {
            int[] copy = new int[Math.max(0, Math.min(to, messagesPerSecond.length) - from)];
            System.arraycopy(messagesPerSecond, from, copy, 0, copy.length);
            return copy;
        }
    }

    private final List<HttpClient> https = new ArrayList<>();
    private final List<WsClient> clients = new ArrayList<>();
    private final List<Watcher> watchers = new ArrayList<>();
    private final int devices;
    private final String devicePrefix;
    private final LongAdder envelopes = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder untimed = new LongAdder();
    private final LongAccumulator lastArrival = new LongAccumulator(Long::max, Long.MIN_VALUE);
    private volatile long origin;
    private volatile long wallOrigin;
    private volatile long clockStart = Long.MAX_VALUE;
    private volatile ConcurrentHistogram latency = new ConcurrentHistogram(3);
    private volatile ConcurrentHistogram fromRule = new ConcurrentHistogram(3);

    private Watchers(int devices, String devicePrefix) {
        this.devices = devices;
        this.devicePrefix = devicePrefix;
    }

    /**
     * Opens {@code n} watchers, at most 64 handshakes at once (each runs the authorizer and a store write),
     * watcher {@code i} on {@code stages.apply(i)} (each with a token of its own).
     *
     * @param devices      things named {@code devicePrefix + index}, index from 0
     * @param seconds      how many one-second buckets of messages each watcher keeps
     * @param origin       the {@link System#nanoTime()} that readings' {@code sentAt} counts from
     */
    static Watchers open(IntFunction<URI> stages, int n, int devices, String devicePrefix, int seconds, long origin) throws Exception {
        Watchers fleet = new Watchers(devices, devicePrefix);
        fleet.origin = origin;
        fleet.wallOrigin = System.currentTimeMillis() - (System.nanoTime() - origin) / 1_000_000;
        int httpClients = Math.max(1, Math.ceilDiv(n, PER_HTTP_CLIENT));
        for (int i = 0; i < httpClients; i++) {
            fleet.https.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build());
        }
        Semaphore handshakes = new Semaphore(64);
        List<CompletableFuture<WsClient>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Watcher watcher = new Watcher(devices, seconds);
            fleet.watchers.add(watcher);
            handshakes.acquire();
            CompletableFuture<WsClient> f = WsClient.builder(stages.apply(i)).http(fleet.https.get(i % httpClients))
                    .connectTimeout(Duration.ofSeconds(60))
                    .onMessage(m -> fleet.received(watcher, m)).connectAsync();
            f.whenComplete((client, e) -> handshakes.release());
            pending.add(f);
        }
        for (CompletableFuture<WsClient> f : pending) {
            fleet.clients.add(f.get(120, TimeUnit.SECONDS));
        }
        return fleet;
    }

    /** Starts the per-second buckets now and empties the latency histogram: what arrives from here on is measured. */
    void startClock() {
        latency = new ConcurrentHistogram(3);
        fromRule = new ConcurrentHistogram(3);
        clockStart = System.nanoTime();
    }

    long clockStart() {
        return clockStart;
    }

    private void received(Watcher w, WsClient.Message message) {
        String text = message.text();
        long arrived = message.arrivedNanos();
        messages.increment();
        lastArrival.accumulate(arrived);
        int count = 0;
        synchronized (w) {
            w.messages++;
            if (arrived >= clockStart) {
                long second = (arrived - clockStart) / 1_000_000_000L;
                if (second < w.messagesPerSecond.length) {
                    w.messagesPerSecond[(int) second]++;
                }
            }
            if (!text.contains("\"telemetry\"")) {
                return;
            }
            int at = text.indexOf(SEQ);
            while (at >= 0) {
                int end = at + SEQ.length();
                long seq = 0;
                while (end < text.length() && Character.isDigit(text.charAt(end))) {
                    seq = seq * 10 + (text.charAt(end) - '0');
                    end++;
                }
                int device = device(text, at);
                if (device < 0 || end == at + SEQ.length()) {
                    w.unknown++;
                } else {
                    if (w.seen[device].get((int) seq)) {
                        w.duplicates++;
                    } else {
                        w.seen[device].set((int) seq);
                    }
                    long receivedAt = receivedAt(text, at);
                    if (receivedAt > 0) {
                        fromRule.recordValue(Math.max(0, wallOrigin + (arrived - origin) / 1_000_000 - receivedAt));
                    }
                    long sentAt = sentAt(text, end);
                    if (sentAt >= 0) {
                        long micros = Math.max(0, (arrived - origin) / 1_000 - sentAt);
                        latency.recordValue(micros);
                        w.maxLatencyMicros = Math.max(w.maxLatencyMicros, micros);
                    } else {
                        untimed.increment();
                    }
                }
                count++;
                at = text.indexOf(SEQ, end);
            }
            w.envelopes += count;
        }
        envelopes.add(count);
    }

    /** The index of the device of the reading whose {@code "seq":} is at {@code seqAt}, or -1. */
    private int device(String text, int seqAt) {
        int at = text.lastIndexOf(DEVICE_ID, seqAt);
        if (at < 0) {
            return -1;
        }
        int from = at + DEVICE_ID.length();
        if (!text.startsWith(devicePrefix, from)) {
            return -1;
        }
        int index = 0;
        int i = from + devicePrefix.length();
        int digits = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            index = index * 10 + (text.charAt(i) - '0');
            i++;
            digits++;
        }
        return digits == 0 || i >= text.length() || text.charAt(i) != '"' || index >= devices ? -1 : index;
    }

    /** The topic rule's {@code receivedAt} (epoch milliseconds) of the envelope holding the reading at {@code seqAt}, or -1. */
    private static long receivedAt(String text, int seqAt) {
        int at = text.lastIndexOf(RECEIVED_AT, seqAt);
        if (at < 0) {
            return -1;
        }
        int i = at + RECEIVED_AT.length();
        long value = 0;
        int start = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        return i == start ? -1 : value;
    }

    /** The {@code sentAt} that follows a reading's {@code seq} (the device writes it right after), or -1. */
    private static long sentAt(String text, int from) {
        if (!text.startsWith("," + SENT_AT, from)) {
            return -1;
        }
        int i = from + 1 + SENT_AT.length();
        long value = 0;
        int start = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        return i == start ? -1 : value;
    }

    /**
     * Waits until every watcher holds {@code readings} (counted from {@code before} envelopes in all), or no
     * reading arrived for {@code quiet}, or {@code limit} passed. True when everything arrived.
     */
    boolean awaitAll(long readings, long before, Duration limit, Duration quiet) throws InterruptedException {
        long target = readings * size();
        long deadline = System.nanoTime() + limit.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (envelopes() - before < target) {
            long now = System.nanoTime();
            long got = envelopes();
            if (got != last) {
                last = got;
                lastChange = now;
            }
            if (now > deadline || now - lastChange > quiet.toNanos()) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** When the last message arrived at any watcher ({@link System#nanoTime()}). */
    long lastArrival() {
        return lastArrival.get();
    }

    int size() {
        return clients.size();
    }

    List<Watcher> watchers() {
        return watchers;
    }

    /** Readings received by all watchers together. */
    long envelopes() {
        return envelopes.sum();
    }

    /** WebSocket messages received by all watchers together (a batch message carries several readings). */
    long messages() {
        return messages.sum();
    }

    /** Readings that arrived without a {@code sentAt} (so not in the latency histogram). */
    long untimed() {
        return untimed.sum();
    }

    /** Publish-to-arrival times in microseconds of every reading at every watcher since {@link #startClock()}. */
    ConcurrentHistogram latency() {
        return latency;
    }

    /**
     * Milliseconds from the topic rule's {@code receivedAt} (the rule's clock, epoch milliseconds, on this
     * machine) to the arrival, since {@link #startClock()}: the part of the latency after the broker.
     */
    ConcurrentHistogram fromRule() {
        return fromRule;
    }

    /** Close frames to all at once, without waiting for any, then the sockets and the HTTP clients go. */
    @Override
    public void close() {
        for (WsClient c : clients) {
            c.socket().sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
        for (WsClient c : clients) {
            c.abort();
        }
        https.forEach(HttpClient::close);
    }
}
