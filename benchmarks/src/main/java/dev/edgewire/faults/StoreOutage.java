package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import dev.edgewire.contract.Topology;
import dev.edgewire.standins.mqtt.MqttTestClients;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import java.util.stream.LongStream;

/**
 * Scenario 4: the DynamoDB-compatible store stops while readings stream and WebSocket clients come
 * and go, then starts again on the same port and data, with local mode running throughout. What
 * needs the table fails with a clear error to the caller and a log line; the rest carries on; after
 * the store is back everything works again without restarting local mode. No reading is lost
 * silently: every reading sent either reached the WebSocket client or is kept in one of local mode's
 * failure queues, listed through SQS as a user would list them.
 */
final class StoreOutage {

    /** Readings published during the second, quiet outage, and the first of their seqs (apart from the stream's). */
    static final int KEPT_READINGS = 3;
    static final long KEPT_SEQ_BASE = 1_000_000;

    private StoreOutage() {
    }

    static Outcome run(Rig rig) throws Exception {
        Settings s = rig.settings;
        String thing = Rig.STORE_THING;
        Outcome o = new Outcome("store-outage", "4. The DynamoDB-compatible store stopped and restarted under load");
        o.setup = "Local mode in process; one device streams " + s.storeReadings() + " readings at QoS 1, "
                + (long) s.storeRate() + "/s, to a WebSocket client; once the broker has accepted 30% of the stream, `LocalCloud.stopStore()` "
                + "stops dynalite; while it is down a new client connects and the connected one sends a message; after "
                + s.storeDown().toSeconds() + " s `startStore()` starts it again on the same port and data. "
                + "What to expect: a handler that needs the table fails after the SDK's retries; the caller gets "
                + "API Gateway's error (HTTP 500 for a connection) and local mode logs it. sendMessage needs no table "
                + "(it queues the message on the readings queue), so its sender hears nothing, and the message comes "
                + "with the readings once the store is back. The readings wait in the readings queue: a fan-out batch "
                + "that cannot read the connection ids reports its readings failed, and the queue hands them out "
                + "again after its visibility timeout (" + Rig.READINGS_VISIBILITY_TIMEOUT.toSeconds() + " s here, "
                + "AWS's is six fan-out timeouts), so once the store is back they are delivered, late. A reading "
                + "that fails all " + Topology.ReadingsQueue.MAX_RECEIVE_COUNT + " receives is moved to the "
                + "readings' dead-letter queue (`ReadingsDeadLettersQueueUrl`), and one the rules' SQS action "
                + "refused is kept in the failed-deliveries queue (`FailedDeliveriesQueueUrl`: the rule's "
                + "error-action message); the scenario lists both queues through SQS, and every reading sent must "
                + "have reached the client or be kept there. Hence a second, quiet outage once the stream is over: "
                + "the store stops again, the device publishes " + KEPT_READINGS + " readings (seqs from "
                + KEPT_SEQ_BASE + "), and the store stays down until the queue has moved them to its dead letters.";
        try (Rig.Stream stream = rig.stream(thing, s.storeReadings(), s.storeRate(),
                rig.work.resolve(thing + ".outbox.db"), thing)) {
            Tally watcher = stream.receiver;
            DeviceRun run = stream.run;
            o.command = run.commandLine();
            stream.awaitAccepted(s.storeReadings() * 3 / 10);
            long stopped = System.nanoTime();
            rig.cloud.stopStore();
            int atStop = watcher.distinct(thing);

            // A client connecting now: $connect cannot store its row, so the upgrade must be refused.
            String duringConnect;
            try (Tally late = Tally.connect(rig.stage())) {
                duringConnect = "connected (101)";
            } catch (Exception e) {
                duringConnect = handshake(e);
            }
            o.saw("new WebSocket connection while the store is down: " + duringConnect);
            o.check(duringConnect.equals("HTTP 500"), "a connection attempt during the outage gets HTTP 500 "
                    + "(Internal server error, as API Gateway answers when $connect fails)");

            // A broadcast now: sendMessage only queues it (no table needed); the fan-out cannot read the
            // connections, so the queue hands it out again until the store is back.
            watcher.send("{\"action\":\"sendMessage\",\"message\":\"during the store outage\"}");
            String reply = watcher.nextOther(Duration.ofSeconds(2));
            o.saw("sendMessage while the store is down, reply to the sender within 2 s: "
                    + (reply == null ? "none (the message is queued)" : reply));
            o.check(reply == null, "a broadcast during the outage is queued: its sender gets no error");

            long left = s.storeDown().toMillis() - (System.nanoTime() - stopped) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
            rig.cloud.startStore();
            long downMillis = (System.nanoTime() - stopped) / 1_000_000;
            int atStart = watcher.distinct(thing);
            o.saw("store down for " + downMillis + " ms (restart included); readings arrived meanwhile: "
                    + (atStart - atStop) + "; local mode kept running (same process, same ports)");

            // After: a new client connects, a broadcast reaches both, readings flow again.
            try (Tally after = Tally.connect(rig.stage())) {
                after.send("{\"action\":\"sendMessage\",\"message\":\"after the store outage\"}");
                boolean both = waitFor(() -> watcher.messageCount("after the store outage") == 1
                        && after.messageCount("after the store outage") == 1, Duration.ofSeconds(20));
                o.saw("after the restart: a new connection was accepted and its broadcast reached "
                        + (both ? "both clients" : "not every client"));
                o.check(both, "after the restart a new client connects and its broadcast reaches both clients");
            }

            boolean queuedArrived = waitFor(() -> watcher.messageCount("during the store outage") == 1,
                    Duration.ofSeconds(30));
            o.saw("the message sent during the outage reached its sender once the store was back: "
                    + (queuedArrived ? "yes, once" : "no (copies: " + watcher.messageCount("during the store outage") + ")"));
            o.check(queuedArrived, "the message sent during the outage is delivered once the store is back");

            JsonNode summary = run.await(Duration.ofMinutes(5));
            Rig.settle(watcher, thing, s.storeReadings());
            Tally.Counts counts = watcher.counts(thing, s.storeReadings());
            o.row(Outcome.Row.of("readings of " + thing + " across the outage", counts));
            o.saw("device client (MQTT, does not need the store): acked " + summary.path("acked") + ", pending "
                    + summary.path("pending") + ", exit 0");
            List<String> logged = rig.logs.take();
            // A failed batch stays in the queue and is received again; only the rules' refusals are kept at once.
            long failedBatches = logged.stream().filter(l -> l.matches(".*FanOut failed a batch of .*")).count();
            long drops = stream.drops();
            KeptReadings kept = awaitKept(rig, thing, seq -> seq < s.storeReadings(), drops, Duration.ofSeconds(20));
            List<Long> missing = watcher.missingSeqs(thing, s.storeReadings());
            List<Long> missingNotKept = missing.stream().filter(seq -> !kept.all().contains(seq)).toList();
            o.row(new Outcome.Row("readings of " + thing + " kept in the failure queues (sent = missing at the "
                    + "client, received = kept, missing = neither delivered nor kept)", missing.size(),
                    missing.size() - missingNotKept.size(), missingNotKept.size(), 0));
            o.saw("fan-out batches that failed and went back to the queue (logged): " + failedBatches
                    + "; refused by the rules' SQS action: " + drops);
            o.saw("kept in the readings' dead-letter queue: " + kept.deadLetters().size()
                    + "; in the failed-deliveries queue (error-action messages): " + kept.deliveries().size()
                    + "; records that could not be kept: " + rig.cloud.unkeptFailures());
            o.saw("missing seqs: " + ranges(missing) + "; kept seqs: " + ranges(List.copyOf(kept.all())));
            o.logged.addAll(BrokerRestart.firstLines(logged, 10));
            o.check(missingNotKept.isEmpty(), "every reading is delivered or kept in a failure queue (missing "
                    + counts.missing() + ", of which not kept " + missingNotKept.size() + ": " + ranges(missingNotKept) + ")");
            o.check(rig.cloud.unkeptFailures() == 0, "local mode kept the record of every failed reading in its queue");
            o.check(summary.path("pending").asLong() == 0, "the device delivered every reading to the broker");
            o.check(lastFifthArrived(watcher, thing, s.storeReadings()), "every reading of the last fifth of the "
                    + "stream arrived (service resumed)");

            keptDuringQuietOutage(rig, o, watcher, thing);
        }
        return o;
    }

    /**
     * The store stops again with nothing queued: each reading published now fails every receive (the
     * store stays down until it has) and must be moved to the readings' dead-letter queue, not delivered.
     */
    private static void keptDuringQuietOutage(Rig rig, Outcome o, Tally watcher, String thing) throws Exception {
        rig.cloud.stopStore();
        try {
            Rig.awaitFanOutSees(); // the cached connection ids expire, so the fan-out must read the store
            var device = MqttTestClients.client(rig.cloud.mqttPort(), thing, rig.cloud.pki(), rig.cloud.things().get(thing));
            device.connect();
            try {
                for (long seq = KEPT_SEQ_BASE; seq < KEPT_SEQ_BASE + KEPT_READINGS; seq++) {
                    device.publishWith().topic("devices/" + thing + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                            .payload(("{\"deviceId\":\"" + thing + "\",\"seq\":" + seq + ",\"temperature\":20.0}")
                                    .getBytes(StandardCharsets.UTF_8))
                            .send();
                }
            } finally {
                device.disconnect();
            }
            long started = System.nanoTime();
            KeptReadings kept = awaitKept(rig, thing, seq -> seq >= KEPT_SEQ_BASE, KEPT_READINGS, Duration.ofMinutes(2));
            long keptAfter = (System.nanoTime() - started) / 1_000_000;
            long delivered = LongStream.range(KEPT_SEQ_BASE, KEPT_SEQ_BASE + KEPT_READINGS)
                    .filter(seq -> watcher.has(thing, seq)).count();
            o.row(new Outcome.Row("readings of " + thing + " published during the second outage (received = kept in "
                    + "the readings' dead-letter queue, missing = neither kept nor delivered)", KEPT_READINGS,
                    kept.deadLetters().size(), KEPT_READINGS - kept.deadLetters().size() - delivered, 0));
            o.saw("second outage: " + KEPT_READINGS + " readings published, " + kept.deadLetters().size()
                    + " moved to the readings' dead-letter queue " + keptAfter + " ms after publishing ("
                    + Topology.ReadingsQueue.MAX_RECEIVE_COUNT + " receives each), " + delivered + " delivered");
            o.check(kept.deadLetters().size() == KEPT_READINGS && delivered == 0, "every reading the fan-out failed "
                    + "on every receive is kept in the readings' dead-letter queue");
            o.logged.addAll(rig.logs.take().stream().filter(l -> l.contains("failed a batch")).limit(KEPT_READINGS).toList());
        } finally {
            rig.cloud.startStore();
        }
    }

    private static String handshake(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WebSocketHandshakeException refused) {
                return "HTTP " + refused.getResponse().statusCode();
            }
        }
        return e.toString();
    }

    private static boolean lastFifthArrived(Tally watcher, String thing, long sent) {
        Tally.Counts all = watcher.counts(thing, sent);
        return watcher.missingSeqs(thing, sent).stream().allMatch(seq -> seq < sent - sent / 5) && all.sent() == sent;
    }

    /**
     * Lists the failure queues until they hold {@code expected} readings of {@code thing} whose seqs pass
     * {@code which}, or {@code timeout} passes (records are sent asynchronously).
     */
    private static KeptReadings awaitKept(Rig rig, String thing, LongPredicate which, long expected, Duration timeout)
            throws InterruptedException {
        Set<Long> deadLetters = new TreeSet<>();
        Set<Long> deliveries = new TreeSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            KeptReadings read = KeptReadings.of(rig.cloud.outputs(), thing);
            read.deadLetters().stream().filter(which::test).forEach(deadLetters::add);
            read.deliveries().stream().filter(which::test).forEach(deliveries::add);
            if (deadLetters.size() + deliveries.size() >= expected) {
                break;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return new KeptReadings(deadLetters, deliveries);
    }

    static String ranges(List<Long> missing) {
        if (missing.isEmpty()) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        long start = missing.get(0);
        long prev = start;
        for (long seq : missing.subList(1, missing.size())) {
            if (seq != prev + 1) {
                out.add(start == prev ? "" + start : start + ".." + prev);
                start = seq;
            }
            prev = seq;
        }
        out.add(start == prev ? "" + start : start + ".." + prev);
        return String.join(", ", out);
    }

    static boolean waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
