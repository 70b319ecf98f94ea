package dev.edgewire.faults;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.edgewire.benchmarks.LocalModeProcess;
import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import dev.edgewire.local.LocalMode;
import dev.edgewire.standins.mqtt.MqttTestClients;
import dev.edgewire.standins.pki.LocalPki;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Scenario 9: one WebSocket client floods {@code sendMessage} while devices stream readings to many
 * watchers. The same stream runs twice on the same local mode, first without the flood and then with
 * it, and both runs are measured at the same watchers: none may miss a reading, and their end-to-end
 * latency (MQTT publish to the envelope's arrival) at the 99th percentile may grow by half at most.
 * The flood's messages are counted at the flooding client (a sender gets its own messages) and at the
 * watchers, and every one must be delivered or refused with an error the sender sees; the connection's
 * message rate ({@link Topology.MessageRate}) lets at most one burst and then its steady rate through.
 */
final class SendMessageFlood {

    static final String THING_PREFIX = "fault-flood-";
    static final String MESSAGE_PREFIX = "flood-";
    /** The most the p99 latency may grow under the flood. */
    static final double MAX_P99_RATIO = 1.5;
    /** How long the readings queue may take to drain once the flood is over. */
    static final Duration DRAIN = Duration.ofMinutes(10);
    static final String P99_BEFORE = "p99 ms without the flood";
    static final String P99_DURING = "p99 ms during the flood";
    static final String P99_RATIO = "p99 ratio";
    static final String REFUSED = "flood messages refused";
    static final String LOST = "readings neither delivered nor kept";
    private static final java.util.regex.Pattern REFUSED_SO_FAR = java.util.regex.Pattern.compile("(\\d+) refused so far");
    private static final Topology.Throttle SEND_THROTTLE = Topology.route("sendMessage").orElseThrow().throttle();
    /** A stream before the measured ones, not measured: local mode's code paths compile, its caches fill. */
    static final Duration WARM_UP = Duration.ofSeconds(5);

    private SendMessageFlood() {
    }

    static Outcome run(Path work, Settings settings) throws Exception {
        Settings.Flood s = settings.flood();
        long perRun = (long) s.deviceRate() * s.duration().toSeconds();
        long warm = (long) s.deviceRate() * WARM_UP.toSeconds();
        long floodTotal = (long) s.messageRate() * s.duration().toSeconds();
        List<String> things = new ArrayList<>();
        for (int i = 1; i <= s.devices(); i++) {
            things.add(THING_PREFIX + i);
        }
        Outcome o = new Outcome("sendmessage-flood", "9. A client flooding sendMessage at "
                + String.format(Locale.ROOT, "%,d", s.messageRate()) + "/s beside " + s.watchers() + " watchers of "
                + s.devices() + " devices x " + s.deviceRate() + " readings/s");
        o.setup = "Local mode as a child JVM (`" + LocalMode.class.getName() + "`, as local/bin/edgewire-local runs it), "
                + "on its own state, so what the flood costs it is its own (its threads, heap and open files). " + s.watchers() + " WebSocket watchers and one more client, "
                + "the flooder, connect; " + s.devices() + " devices (MQTT 5, mutual TLS, QoS 1, the HiveMQ client in this "
                + "JVM) each publish " + s.deviceRate() + " readings/s, paced every 10 ms, for " + s.duration().toSeconds()
                + " s, twice: first alone (the baseline), then while the flooder sends `{\"action\":\"sendMessage\","
                + "\"message\":\"flood-<n>\"}` at " + s.messageRate() + "/s for the same time (" + floodTotal
                + " messages). Every sendMessage is a Lambda invocation that first takes the sender's message rate ("
                + Topology.MessageRate.PER_SECOND + "/s, bursts of " + Topology.MessageRate.BURST + ", kept on its row of the "
                + "connection table) and refuses a message over it with `TooManyMessages` and a retry hint; one within "
                + "it is queued on the readings queue "
                + "and publishes it to the devices; the fan-out delivers messages and readings alike to every watcher, "
                + "the flooder included. Latency is from just before a reading's publish to the arrival of the envelope "
                + "that carries it at each watcher (first copy, same JVM clock), over every watcher and reading of a run. "
                + "Before any of that, the sendMessage route's own throttle (" + SEND_THROTTLE.ratePerSecond()
                + "/s, bursts of " + SEND_THROTTLE.burst() + ", over all connections) refuses what is over it with 429 "
                + "`Too Many Requests`, as API Gateway's route-level throttling does on the deployed stage; those "
                + "messages never reach a function.";
        o.command = "local/bin/edgewire-local --state-dir <dir> --ws-port 0 --mqtt-port 0 --https-port 0 --thing "
                + THING_PREFIX + "1,...; java -cp <benchmarks class path> dev.edgewire.faults.FaultSuite --scenario "
                + "sendmessage_flood" + (settings.quick() ? " --quick" : "");
        Path state = work.resolve("flood-state");
        Path log = work.resolve("flood-local-mode.log");
        Files.deleteIfExists(log);
        List<Mqtt5AsyncClient> devices = new ArrayList<>();
        try (LocalModeProcess local = LocalModeProcess.restartable(state, log, things);
             Watchers watchers = Watchers.open(local.stage(), s.watchers(), MESSAGE_PREFIX);
             Watchers flooders = Watchers.open(local.stage(), 1, MESSAGE_PREFIX)) {
            Map<String, String> outputs = local.outputs();
            LocalPki pki = LocalPki.openOrCreate(state.resolve("certs"));
            int mqttPort = Integer.parseInt(outputs.get(Outputs.MQTT_PORT));
            for (String thing : things) {
                Mqtt5AsyncClient device = MqttTestClients.client(mqttPort, thing, pki, pki.thing(thing)).toAsync();
                device.connect().get(20, TimeUnit.SECONDS);
                devices.add(device);
            }
            long end = warm + 2 * perRun;
            long[][] sentAt = new long[s.devices()][(int) end];
            Histogram[] latency = {new ConcurrentHistogram(3), new ConcurrentHistogram(3)};
            watchers.listen((w, deviceId, seq, receivedAt, arrived, first) -> {
                if (first && deviceId.startsWith(THING_PREFIX) && seq >= warm && seq < end) {
                    int d = Integer.parseInt(deviceId.substring(THING_PREFIX.length())) - 1;
                    long t0 = sentAt[d][(int) seq];
                    if (t0 != 0) {
                        latency[seq < warm + perRun ? 0 : 1].recordValue(Math.max(0, (arrived - t0) / 1_000));
                    }
                }
            });
            Rig.awaitFanOutSees();
            int logMark = local.logText().length();

            drive(devices, things, s.deviceRate(), 0, warm, sentAt);
            settle(watchers, things, 0, warm);

            // The baseline: the stream alone.
            drive(devices, things, s.deviceRate(), warm, warm + perRun, sentAt);
            settle(watchers, things, warm, warm + perRun);
            Tally.Counts baseline = counts(watchers, things, warm, warm + perRun);

            // The same stream with the flood beside it.
            Watchers.Watcher flooder = flooders.all().get(0);
            AtomicLong floodSent = new AtomicLong();
            AtomicLong floodSendFailures = new AtomicLong();
            Thread flood = Thread.ofPlatform().name("flooder").start(() -> flood(flooder, s.messageRate(), floodTotal,
                    floodSent, floodSendFailures));
            long floodStarted = System.nanoTime();
            drive(devices, things, s.deviceRate(), warm + perRun, end, sentAt);
            flood.join();
            long floodMillis = (System.nanoTime() - floodStarted) / 1_000_000;
            // What is late is not lost: wait until the readings queue has drained, then until nothing more arrives.
            long drainStarted = System.nanoTime();
            Drained drained = drain(outputs, DRAIN);
            long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;
            settle(watchers, things, warm + perRun, end);
            Tally.settle(() -> flooder.messages() + flooder.others().size() >= floodSent.get(),
                    () -> flooder.messages() + flooder.others().size(), Duration.ofSeconds(10), Duration.ofMinutes(3));
            Thread.sleep(1_000);
            Tally.Counts flooded = counts(watchers, things, warm + perRun, end);
            long delivered = flooder.messages();
            // NotDelivered: not queued, so no one gets it. PublishFailed: queued (the watchers get it), not published
            // to the devices. Anything else (API Gateway's "Internal server error" when the route failed) is a refusal.
            List<String> replies = flooder.others();
            List<String> refusals = replies.stream().filter(r -> !r.contains("\"PublishFailed\"")).toList();
            long publishFailed = replies.size() - refusals.size();
            long notDelivered = refusals.stream().filter(r -> r.contains("\"NotDelivered\"")).count();
            // A reply names the frame it answers (requestId); a post retried after a timeout can bring a second copy.
            long refusedDistinct = distinctAnswers(refusals);
            long refusalCopies = refusals.size() - refusedDistinct;
            long overRate = distinctAnswers(refusals.stream().filter(r -> r.contains("\"TooManyMessages\"")).toList());
            long throttled = distinctAnswers(refusals.stream()
                    .filter(r -> r.contains("\"message\": \"Too Many Requests\"")).toList());
            long invoked = floodSent.get() - throttled;
            // Frames wait for a thread when local mode is busy: the throttle took them until the last answer at the latest.
            long admittingMillis = Math.max(floodMillis, (flooder.lastOtherNanos() - floodStarted) / 1_000_000);
            // The most the per-connection limit lets through while local mode took the flood's messages (from its
            // first sendMessage log line to its last; later than the sends when invocations queue up): one burst,
            // then the steady rate.
            String floodLog = local.logText().substring(logMark);
            long handledMillis = handledMillis(floodLog);
            // A message whose rate could not be checked (the store did not answer in time) goes: counted apart.
            long uncheckedLetThrough = floodLog.lines().filter(l -> l.contains("could not be checked; the message goes")).count();
            long allowedAtMost = Topology.MessageRate.BURST
                    + (long) Math.ceil(Topology.MessageRate.PER_SECOND * Math.max(floodMillis, handledMillis) / 1000.0)
                    + uncheckedLetThrough;
            long atWatchers = watchers.all().stream().mapToLong(Watchers.Watcher::messages).sum();
            long duplicatesAtWatchers = watchers.all().stream().mapToLong(Watchers.Watcher::messageDuplicates).sum();
            int fewest = watchers.all().stream().mapToInt(Watchers.Watcher::messages).min().orElse(0);

            o.row(Outcome.Row.of("readings at the " + s.watchers() + " watchers without the flood (sent = " + perRun
                    + " readings x " + s.devices() + " devices x " + s.watchers() + " watchers)", baseline));
            o.row(Outcome.Row.of("readings at the same watchers during the flood", flooded));
            o.row(new Outcome.Row("flood messages at the flooding client (missing = neither delivered nor refused)",
                    floodSent.get(), delivered, floodSent.get() - delivered - refusedDistinct,
                    flooder.messageDuplicates() + refusalCopies));
            o.row(new Outcome.Row("flood messages at the " + s.watchers() + " watchers (sent = messages delivered to "
                    + "the flooder x watchers)", delivered * s.watchers(), atWatchers, delivered * s.watchers() - atWatchers,
                    duplicatesAtWatchers));

            double p99Before = latency[0].getValueAtPercentile(99) / 1000.0;
            double p99During = latency[1].getValueAtPercentile(99) / 1000.0;
            double ratio = p99During / Math.max(0.001, p99Before);
            o.figures.put(P99_BEFORE, p99Before);
            o.figures.put(P99_DURING, p99During);
            o.figures.put(P99_RATIO, ratio);
            o.figures.put(REFUSED, (double) refusedDistinct);
            o.saw(String.format(Locale.ROOT, "end-to-end latency at the watchers, p50 / p99 / max: without the flood "
                            + "%s; during it %s; p99 ratio %.2fx (bound %.1fx)", ms(latency[0]), ms(latency[1]), ratio,
                    MAX_P99_RATIO));
            o.saw(String.format(Locale.ROOT, "the flooder sent %d messages in %d ms (%.0f/s; %d sends failed at the "
                            + "socket); delivered back to it: %d; refused with an error: %d (%d more copies of a refusal)%s",
                    floodSent.get(), floodMillis, floodSent.get() * 1000.0 / Math.max(1, floodMillis),
                    floodSendFailures.get(), delivered, refusedDistinct, refusalCopies, refusals.isEmpty() ? "" : " (" + notDelivered + " NotDelivered, first: "
                            + refusals.get(0) + ")"));
            o.saw("flood messages delivered to the WebSocket clients whose publish to the devices failed "
                    + "(PublishFailed to the sender): " + publishFailed);
            o.saw("flood messages refused as over the flooder's message rate (" + Topology.MessageRate.PER_SECOND
                    + "/s, bursts of " + Topology.MessageRate.BURST + "; TooManyMessages with a retry hint): " + overRate
                    + "; let through: " + delivered + " (the limit allows at most " + allowedAtMost + " in the "
                    + Math.max(floodMillis, handledMillis) + " ms local mode took the messages over, " + uncheckedLetThrough
                    + " of them let through because the store did not answer the rate's check)");
            o.saw("flood messages at the watchers: " + atWatchers + " of " + delivered * s.watchers()
                    + " (the fewest at one watcher: " + fewest + " of " + delivered + ")");
            List<String> logged = warnings(local.logText().substring(logMark));
            // Local mode logs the rules' refusals at the 1st, 2nd, 4th, 8th...: the last count logged is a lower bound.
            long refusedByRules = logged.stream().map(REFUSED_SO_FAR::matcher).filter(java.util.regex.Matcher::find)
                    .mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0);
            long unkept = logged.stream().filter(l -> l.contains("could not be kept in its queue and is lost")).count();
            o.saw("after the flood the readings queue " + (drained.depth() != null && drained.depth().total() == 0
                    ? "drained in " + drainMillis + " ms" : "had not drained after " + drainMillis + " ms (" + drained.depth()
                    + ")") + (drained.unanswered() == 0 ? "" : "; " + drained.unanswered() + " of the scenario's depth "
                    + "readings went unanswered by the SQS service") + "; readings the rules' SQS action could not send "
                    + "to the readings queue (kept in the failed-deliveries queue): at least " + refusedByRules);
            long notQueued = logged.stream().filter(l -> l.contains("could not be queued for the WebSocket clients")).count();
            long tooManyFiles = logged.stream().filter(l -> l.contains("Too many open files")).count();
            long invokedAtMost = SEND_THROTTLE.burst()
                    + (long) Math.ceil(SEND_THROTTLE.ratePerSecond() * admittingMillis / 1000.0);
            o.saw("the sendMessage route's throttle refused " + throttled + " flood messages with 429 Too Many Requests "
                    + "before any function ran; " + invoked + " reached the function (the throttle lets at most "
                    + invokedAtMost + " through in the " + admittingMillis + " ms from the flood's first send to the "
                    + "last answer); sendMessage invocations "
                    + "that could not queue their message (logged): " + notQueued + "; warnings and errors logged during the runs: " + logged.size()
                    + (tooManyFiles == 0 ? "" : ", " + tooManyFiles + " of them 'Too many open files'"));
            java.util.Map<String, KeptReadings> kept = KeptReadings.byDevice(outputs,
                    d -> d.startsWith(THING_PREFIX));
            long missedKept = 0;
            long missedLost = 0;
            for (String thing : things) {
                java.util.Set<Long> keptSeqs = kept.containsKey(thing) ? kept.get(thing).all() : java.util.Set.of();
                for (long seq = warm; seq < end; seq++) {
                    final long s2 = seq;
                    if (watchers.all().stream().anyMatch(w -> w.copies(thing, s2) == 0)) {
                        if (keptSeqs.contains(seq)) {
                            missedKept++;
                        } else {
                            missedLost++;
                        }
                    }
                }
            }
            o.saw("readings (of both measured runs) that did not reach every watcher: " + (missedKept + missedLost)
                    + ", of which kept in the "
                    + "failure queues (the readings queue refused them): " + missedKept + ", neither delivered nor kept: "
                    + missedLost + "; failed readings local mode could not keep (logged whole, then lost): " + unkept);
            o.figures.put(LOST, (double) missedLost);
            o.logged.addAll(BrokerRestart.firstLines(logged, 8));

            o.check(baseline.missing() == 0, "without the flood no watcher misses a reading (missing "
                    + baseline.missing() + ")");
            o.check(flooded.missing() == 0, "during the flood no watcher misses a reading (missing "
                    + flooded.missing() + ")");
            o.check(missedLost == 0, "no reading is lost: each one a watcher missed is kept in a failure queue ("
                    + missedLost + " not kept)");
            o.goal(ratio <= MAX_P99_RATIO, String.format(Locale.ROOT, "the watchers' p99 latency during the flood is "
                    + "within %.1fx of the run without it (%.2f ms vs %.2f ms: %.2fx)", MAX_P99_RATIO, p99During,
                    p99Before, ratio), "Local mode carries the flood on the same 2 cores as the fan-out, the watchers and the "
                    + "flooder: its gateway reads, routes and answers every one of the " + s.messageRate() + " frames a "
                    + "second, and the " + SEND_THROTTLE.ratePerSecond() + " a second the route's throttle lets through "
                    + "each run sendMessage (an update of the connection's message clock in the table; for all but "
                    + Topology.MessageRate.PER_SECOND + " of them a signed error post back to the sender). The fan-out "
                    + "fell behind while the flood lasted (the readings queue drained " + drainMillis + " ms after it). "
                    + "On AWS the gateway, its throttle and the refused invocations are API Gateway's and Lambda's, not "
                    + "the fan-out's. What would reach it in local mode: answer the refusals as the route's response "
                    + "(API Gateway's two-way routes) instead of with a signed post, and more cores");
            o.check(delivered <= allowedAtMost && overRate > 0, "the flood is limited to the flooder's message rate ("
                    + delivered + " let through, at most " + allowedAtMost + "; " + overRate + " refused as TooManyMessages)");
            o.check(invoked <= invokedAtMost && throttled > 0, "the route's throttle keeps the flood from the function ("
                    + invoked + " reached it, at most " + invokedAtMost + "; " + throttled + " refused with 429)");
            o.check(atWatchers == delivered * s.watchers(), "every flood message that was let through reached every "
                    + "watcher (" + atWatchers + " of " + delivered * s.watchers() + ")");
            o.check(delivered + refusedDistinct == floodSent.get(), "every flood message was delivered to its sender "
                    + "or refused with an error it saw (" + delivered + " + " + refusedDistinct + " of " + floodSent.get()
                    + ")");
        } finally {
            for (Mqtt5AsyncClient device : devices) {
                device.disconnect().exceptionally(e -> null);
            }
        }
        return o;
    }

    private static final java.util.regex.Pattern REQUEST_ID =
            java.util.regex.Pattern.compile("\"requestId\":\\s*\"([^\"]+)\"");

    /** Distinct frames answered: replies that name the same request id count once; one without an id counts alone. */
    static long distinctAnswers(List<String> replies) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        long withoutId = 0;
        for (String reply : replies) {
            java.util.regex.Matcher m = REQUEST_ID.matcher(reply);
            if (m.find()) {
                ids.add(m.group(1));
            } else {
                withoutId++;
            }
        }
        return ids.size() + withoutId;
    }

    /**
     * Publishes seqs {@code from..to-1} of every device, {@code rate} a second each, paced every 10 ms, the
     * devices spread over each interval; records each publish's time in {@code sentAt}.
     */
    private static void drive(List<Mqtt5AsyncClient> devices, List<String> things, int rate, long from, long to,
            long[][] sentAt) throws InterruptedException {
        long tick = TimeUnit.MILLISECONDS.toNanos(10);
        long start = System.nanoTime();
        long[] next = new long[devices.size()];
        java.util.Arrays.fill(next, from);
        long wake = start;
        while (true) {
            boolean done = true;
            double elapsed = (System.nanoTime() - start) / 1e9;
            for (int d = 0; d < devices.size(); d++) {
                double offset = (double) d / devices.size() / rate;
                long due = Math.min(to, from + (long) Math.floor((elapsed - offset) * rate) + 1);
                while (next[d] < due) {
                    long seq = next[d]++;
                    sentAt[d][(int) seq] = System.nanoTime();
                    devices.get(d).publishWith().topic("devices/" + things.get(d) + "/telemetry")
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(("{\"deviceId\":\"" + things.get(d) + "\",\"seq\":" + seq + ",\"temperature\":21.5}")
                                    .getBytes(StandardCharsets.UTF_8))
                            .send();
                }
                done &= next[d] >= to;
            }
            if (done) {
                return;
            }
            wake += tick;
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
    }

    /** Sends {@code total} numbered messages at {@code rate} a second, paced every 10 ms. */
    private static void flood(Watchers.Watcher flooder, int rate, long total, AtomicLong sent, AtomicLong failures) {
        long tick = TimeUnit.MILLISECONDS.toNanos(10);
        long start = System.nanoTime();
        long wake = start;
        long n = 0;
        try {
            while (n < total) {
                long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
                while (n < due) {
                    try {
                        flooder.send("{\"action\":\"sendMessage\",\"message\":\"" + MESSAGE_PREFIX + n + "\"}");
                        sent.incrementAndGet();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                    n++;
                }
                wake += tick;
                long sleep = wake - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The readings queue's depth at the end, and how many depth readings the SQS service did not answer. */
    private record Drained(LocalModeKill.Depth depth, int unanswered) {
    }

    /**
     * Reads the readings queue's depth through SQS until it is 0 or {@code max} passes. An overloaded SQS service
     * may not answer; such a reading is counted and tried again a second later.
     */
    private static Drained drain(Map<String, String> outputs, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        LocalModeKill.Depth depth = null;
        int unanswered = 0;
        while (System.nanoTime() < deadline) {
            try (LocalModeKill.Cloud queue = LocalModeKill.Cloud.of(outputs)) {
                while (System.nanoTime() < deadline) {
                    depth = queue.depth();
                    if (depth.total() == 0) {
                        return new Drained(depth, unanswered);
                    }
                    Thread.sleep(200);
                }
            } catch (SdkException e) {
                unanswered++;
                Thread.sleep(1_000);
            }
        }
        return new Drained(depth, unanswered);
    }

    /**
     * From the first to the last line sendMessage logged for a message (queued or refused) in a stretch of
     * local mode's log, whose lines start with the time of day ({@code HH:mm:ss.SSS}).
     */
    static long handledMillis(String log) {
        long first = -1;
        long last = -1;
        for (String line : log.split("\n")) {
            if (line.length() < 12 || !line.contains("SendMessageHandler")
                    || !(line.contains("queued for the WebSocket clients") || line.contains("over its message rate"))) {
                continue;
            }
            try {
                // Concurrent invocations log out of order: the earliest and the latest, not the first and last lines.
                long at = java.time.LocalTime.parse(line.substring(0, 12)).toNanoOfDay() / 1_000_000;
                first = first < 0 ? at : Math.min(first, at);
                last = Math.max(last, at);
            } catch (java.time.format.DateTimeParseException e) {
                // not a line of local mode's log layout
            }
        }
        return first < 0 ? 0 : last - first;
    }

    /** The warnings and errors of a stretch of local mode's log, one line each. */
    private static List<String> warnings(String log) {
        List<String> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            int level = Math.max(line.indexOf(" WARN "), line.indexOf(" ERROR "));
            if (level >= 0) {
                lines.add(line.substring(level + 1).strip().replaceAll("\\s+", " "));
            }
        }
        return lines;
    }

    private static void settle(Watchers watchers, List<String> things, long from, long to) throws InterruptedException {
        Tally.settle(() -> counts(watchers, things, from, to).missing() == 0,
                () -> counts(watchers, things, from, to).received(), Duration.ofSeconds(10), Duration.ofMinutes(3));
    }

    private static Tally.Counts counts(Watchers watchers, List<String> things, long from, long to) {
        List<Tally.Counts> each = new ArrayList<>();
        for (String thing : things) {
            each.add(watchers.readings(thing, from, to));
        }
        return Watchers.sum(each);
    }

    private static String ms(Histogram h) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }
}
