package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 4: the DynamoDB-compatible store stops while readings stream and WebSocket clients come
 * and go, then starts again on the same port and data, with local mode running throughout. What
 * needs the table fails with a clear error to the caller and a log line; the rest carries on; after
 * the store is back everything works again without restarting local mode.
 */
final class StoreOutage {

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
                + "API Gateway's error (HTTP 500 for a connection, an \"Internal server error\" message for a "
                + "broadcast) and local mode logs it. A fan-out invocation that cannot read the connection ids "
                + "fails the same way and is tried again 2 s and 4 s later, as Lambda retries an asynchronous "
                + "invocation twice; its reading is lost (logged) only when all three attempts fail. Readings "
                + "fanned out from the connection-id cache meanwhile still arrive.";
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

            // A broadcast now: sendMessage cannot read the connections, so the sender must hear so.
            watcher.send("{\"action\":\"sendMessage\",\"message\":\"during the store outage\"}");
            String reply = watcher.nextOther(Duration.ofSeconds(20));
            o.saw("sendMessage while the store is down, reply to the sender: " + reply);
            o.check(reply != null && reply.contains("\"message\": \"Internal server error\""),
                    "the sender of a broadcast during the outage gets API Gateway's \"Internal server error\"");

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

            JsonNode summary = run.await(Duration.ofMinutes(5));
            Rig.settle(watcher, thing, s.storeReadings());
            Tally.Counts counts = watcher.counts(thing, s.storeReadings());
            o.row(Outcome.Row.of("readings of " + thing + " across the outage", counts));
            o.saw("device client (MQTT, does not need the store): acked " + summary.path("acked") + ", pending "
                    + summary.path("pending") + ", exit 0");
            List<String> logged = rig.logs.take();
            // Only invocations that failed on every attempt lose their reading; a retried one may still deliver it.
            long failedFanOuts = logged.stream().filter(l -> l.matches(".*rule \\S+ action \\S+ failed after .*")).count();
            long drops = stream.drops();
            o.saw("fan-out invocations that failed because they could not read the connection ids: " + failedFanOuts
                    + "; dropped by the rule-action queue: " + drops);
            o.saw("missing seqs: " + ranges(watcher, thing, s.storeReadings()));
            o.logged.addAll(BrokerRestart.firstLines(logged, 10));
            o.check(counts.missing() == failedFanOuts + drops, "every missing reading is a logged failed fan-out "
                    + "(missing " + counts.missing() + ", failed " + failedFanOuts + ", dropped " + drops + ")");
            o.check(summary.path("pending").asLong() == 0, "the device delivered every reading to the broker");
            o.check(lastFifthArrived(watcher, thing, s.storeReadings()), "every reading of the last fifth of the "
                    + "stream arrived (service resumed)");
        }
        return o;
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

    private static String ranges(Tally watcher, String thing, long sent) {
        List<Long> missing = watcher.missingSeqs(thing, sent);
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
