package dev.edgewire.benchmarks;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.edgewire.local.LocalCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Benchmark 2: end-to-end latency from an MQTT publish (QoS 1, mutual TLS) to the WebSocket
 * envelope's arrival at a client of local mode, at fixed reading rates spread over several devices,
 * against the raw broker hop measured on the very same messages: the QoS 1 publish-to-PUBACK round
 * trip, which is the time the broker takes to accept a message and answer its sender.
 */
final class LatencyBenchmark {

    static final int DEVICES = 10;

    /** Percentiles in milliseconds of one repetition. */
    record Percentiles(double p50, double p99, double max, long count) {
        static Percentiles of(Histogram h) {
            return new Percentiles(h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                    h.getMaxValue() / 1000.0, h.getTotalCount());
        }
    }

    record Result(int rate, Spread e2eP50, Spread e2eP99, Spread e2eMax, Spread rawP50, Spread rawP99, Spread rawMax,
                  long sent, long delivered) {
    }

    private LatencyBenchmark() {
    }

    static List<Result> run(Path root, List<Integer> rates, int reps, Duration each) throws Exception {
        List<String> things = new ArrayList<>();
        for (int i = 1; i <= DEVICES; i++) {
            things.add("lat-" + i);
        }
        List<Result> results = new ArrayList<>();
        try (LocalModeProcess local = LocalModeProcess.start(root, things);
             WsFleet client = WsFleet.open(local.stage(), 1)) {
            List<Mqtt5AsyncClient> devices = local.connectDevices(things);
            Map<Long, Long> sentAt = new ConcurrentHashMap<>();
            ConcurrentHistogram[] e2e = {new ConcurrentHistogram(3)};
            AtomicLong delivered = new AtomicLong();
            client.observe(r -> {
                for (long seq : sequences(r.text())) {
                    Long t0 = sentAt.remove(seq);
                    if (t0 != null) {
                        e2e[0].recordValue(Math.max(0, (r.arrivedNanos() - t0) / 1000));
                        delivered.incrementAndGet();
                    }
                }
            });
            long seq = 0;
            // A short warm-up at the lowest rate, not recorded.
            seq = drive(devices, things, rates.get(0), Duration.ofSeconds(2), seq, sentAt, new ConcurrentHistogram(3));
            Thread.sleep(1000);
            for (int rate : rates) {
                List<Percentiles> ours = new ArrayList<>();
                List<Percentiles> raw = new ArrayList<>();
                long sent = 0;
                long got = 0;
                for (int rep = 0; rep < reps; rep++) {
                    sentAt.clear();
                    e2e[0] = new ConcurrentHistogram(3);
                    delivered.set(0);
                    ConcurrentHistogram puback = new ConcurrentHistogram(3);
                    long before = seq;
                    seq = drive(devices, things, rate, each, seq, sentAt, puback);
                    // Let what is queued drain before the next repetition, so one's backlog never delays the next.
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    long last = -1;
                    long lastChange = System.nanoTime();
                    while (delivered.get() < seq - before && System.nanoTime() < deadline
                            && System.nanoTime() - lastChange < Duration.ofSeconds(3).toNanos()) {
                        if (delivered.get() != last) {
                            last = delivered.get();
                            lastChange = System.nanoTime();
                        }
                        Thread.sleep(20);
                    }
                    sent += seq - before;
                    got += delivered.get();
                    ours.add(Percentiles.of(e2e[0]));
                    raw.add(Percentiles.of(puback));
                    Thread.sleep(500);
                }
                results.add(new Result(rate, spread(ours, Percentiles::p50), spread(ours, Percentiles::p99),
                        spread(ours, Percentiles::max), spread(raw, Percentiles::p50), spread(raw, Percentiles::p99),
                        spread(raw, Percentiles::max), sent, got));
            }
            for (Mqtt5AsyncClient c : devices) {
                c.disconnect().get(10, TimeUnit.SECONDS);
            }
        }
        return results;
    }

    /** Publishes {@code rate} readings a second over all devices for {@code duration}, paced every 10 ms. */
    static long drive(List<Mqtt5AsyncClient> devices, List<String> things, int rate, Duration duration, long seq,
                              Map<Long, Long> sentAt, ConcurrentHistogram puback) throws InterruptedException {
        long tick = TimeUnit.MILLISECONDS.toNanos(10);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long due = 0;
        long next = start;
        long first = seq;
        while (System.nanoTime() < end) {
            due = (long) ((System.nanoTime() - start) / 1e9 * rate) + 1;
            while (seq - first < due) {
                int d = (int) (seq % devices.size());
                long t0 = System.nanoTime();
                sentAt.put(seq, t0);
                devices.get(d).publishWith().topic("devices/" + things.get(d) + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(reading(things.get(d), seq)).send()
                        .whenComplete((ack, e) -> {
                            if (e == null) {
                                puback.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
                            }
                        });
                seq++;
            }
            next += tick;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
        return seq;
    }

    static byte[] reading(String thing, long seq) {
        return ("{\"deviceId\":\"" + thing + "\",\"seq\":" + seq + ",\"ts\":\"2026-11-29T21:00:00Z\",\"temperature\":22.4,"
                + "\"humidity\":41.2,\"pressure\":1012.8,\"battery\":0.93}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The readings' {@code seq}s of a message (one envelope, or a batch of them), without a full parse
     * on the receiving thread: every {@code "seq":<digits>} of a message that carries telemetry.
     */
    static List<Long> sequences(String text) {
        if (!text.contains("\"telemetry\"")) {
            return List.of();
        }
        List<Long> seqs = new ArrayList<>(1);
        int at = text.indexOf("\"seq\":");
        while (at >= 0) {
            int end = at + 6;
            while (end < text.length() && Character.isDigit(text.charAt(end))) {
                end++;
            }
            if (end > at + 6) {
                seqs.add(Long.parseLong(text.substring(at + 6, end)));
            }
            at = text.indexOf("\"seq\":", end);
        }
        return seqs;
    }

    private static Spread spread(List<Percentiles> reps, java.util.function.ToDoubleFunction<Percentiles> f) {
        return Spread.of(reps.stream().map(f::applyAsDouble).toList());
    }

    static void report(Report report, List<Result> results, int reps, Duration each) throws Exception {
        StringBuilder md = new StringBuilder("""
                ## 2. End-to-end latency, MQTT publish to WebSocket receipt

                %d devices (MQTT 5, mutual TLS, QoS 1, the HiveMQ client) publish readings at a fixed total rate,
                paced every 10 ms, for %d s per repetition; one WebSocket client of local mode receives the telemetry
                envelopes. Latency is from just before the publish to the arrival of the whole envelope (same JVM
                clock). The baseline is taken on the very same messages: the broker's publish-to-PUBACK round trip.

                Why this baseline: local mode's `ThingPolicy` (like the IoT policy) lets a device subscribe only to
                its own topics, so a raw device-to-device publish/subscribe round trip would need a weaker policy.
                The PUBACK is the broker's own hop: it is sent once the broker has accepted the message and handed it
                on, the same point where local mode's rule engine (like IoT rules) takes it over. Everything after it
                (rule evaluation, the fan-out handler's connection lookup, the signed `@connections` post, the
                WebSocket frame) is what our path adds.

                | readings/s | e2e p50 ms | e2e p99 ms | e2e max ms | PUBACK p50 ms | PUBACK p99 ms | PUBACK max ms | p99 ratio | delivered |
                |---|---|---|---|---|---|---|---|---|
                """.formatted(DEVICES, each.toSeconds()));
        Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
        for (Result r : results) {
            double ratio = r.e2eP99().median() / r.rawP99().median();
            md.append("| %,d | %s | %s | %s | %s | %s | %s | %.2fx | %,d of %,d |\n".formatted(r.rate(), r.e2eP50().format(2),
                    r.e2eP99().format(2), r.e2eMax().format(1), r.rawP50().format(2), r.rawP99().format(2),
                    r.rawMax().format(1), ratio, r.delivered(), r.sent()));
            String label = r.rate() + "/s";
            chart.computeIfAbsent("e2e p50", k -> new LinkedHashMap<>()).put(label, r.e2eP50().median());
            chart.computeIfAbsent("e2e p99", k -> new LinkedHashMap<>()).put(label, r.e2eP99().median());
            chart.computeIfAbsent("e2e max", k -> new LinkedHashMap<>()).put(label, r.e2eMax().median());
            chart.computeIfAbsent("PUBACK p50", k -> new LinkedHashMap<>()).put(label, r.rawP50().median());
            chart.computeIfAbsent("PUBACK p99", k -> new LinkedHashMap<>()).put(label, r.rawP99().median());
            chart.computeIfAbsent("PUBACK max", k -> new LinkedHashMap<>()).put(label, r.rawMax().median());
            report.headline(new Report.Headline("Latency p99 at %,d readings/s".formatted(r.rate()),
                    Spread.num(r.e2eP99().median(), 2) + " ms", Spread.num(r.rawP99().median(), 2) + " ms (PUBACK)",
                    "%.2fx".formatted(ratio), r.rate() == 500 ? "<= 3x" : "—", r.rate() == 500 ? ratio <= 3 : null));
        }
        Result lowest = results.get(0);
        Result highest = results.get(results.size() - 1);
        if (results.size() > 1) {
            md.append("""

                    How to read it: the PUBACK percentiles stay flat from %,d to %,d readings/s (p50 %.2f to %.2f ms), so the
                    broker is not what grows; the end-to-end p50 goes from %.2f to %.2f ms. Each reading passes local mode's
                    topic rule, then a fan-out invocation (local mode runs at most %d at once, like a function's reserved
                    concurrency), which signs and posts one `@connections` request per connection; what grows with the rate
                    is readings waiting for a free invocation, stretched by the load average in the header. %s
                    """.formatted(lowest.rate(), highest.rate(), lowest.rawP50().median(), highest.rawP50().median(),
                    lowest.e2eP50().median(), highest.e2eP50().median(), LocalCloud.RULE_CONCURRENCY,
                    highest.delivered() == highest.sent()
                            ? "At %,d readings/s all %,d readings arrived.".formatted(highest.rate(), highest.sent())
                            : ("At %,d readings/s %,d of %,d readings arrived; the rest were shed at local mode's bounded "
                                    + "rule-action queue or still queued when the repetition ended.")
                                    .formatted(highest.rate(), highest.delivered(), highest.sent())));
        }
        Charts.bars(report.imageDir().resolve("latency-percentiles.png"),
                "Publish to WebSocket receipt vs publish to PUBACK (median of " + reps + ")", "ms (log scale)", chart, true);
        md.append("""

                Medians of %d repetitions, (min–max) in brackets; "delivered" counts envelopes that arrived before the next
                repetition (each waits until nothing more arrives for 3 s, at most 30 s), summed over the repetitions;
                readings that local mode's bounded rule-action queue shed are the difference.

                ![latency percentiles](img/latency-percentiles.png)
                """.formatted(reps));
        report.section(md.toString());
    }
}
