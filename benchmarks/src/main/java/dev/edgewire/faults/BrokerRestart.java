package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * Scenario 1: the MQTT broker stops in the middle of a QoS 1 stream and comes back on the same
 * port. The device client reconnects and sends again every reading the broker had not acknowledged;
 * a WebSocket client counts what reached it.
 */
final class BrokerRestart {

    private BrokerRestart() {
    }

    static Outcome run(Rig rig) throws Exception {
        Settings s = rig.settings;
        String thing = Rig.BROKER_THING;
        Outcome o = new Outcome("broker-restart", "1. The broker restarted during a "
                + String.format(java.util.Locale.ROOT, "%,d", s.readings()) + "-reading QoS 1 stream");
        o.setup = "Local mode in process; one device (" + thing + ") streams " + s.readings() + " readings at QoS 1, "
                + (long) s.rate() + "/s, with the device client's jar; once the broker has accepted 30% of the stream, "
                + "`LocalCloud.stopBroker()`, " + s.brokerDown().toSeconds() + " s down, `startBroker()` on the same port.";
        try (Rig.Stream stream = rig.stream(thing, s.readings(), s.rate(), rig.work.resolve(thing + ".outbox.db"),
                thing)) {
            Tally receiver = stream.receiver;
            DeviceRun run = stream.run;
            o.command = run.commandLine();
            stream.awaitAccepted(s.readings() * 3 / 10);
            int before = receiver.distinct(thing);
            long acceptedAtStop = stream.accepted();
            long stopped = System.nanoTime();
            rig.cloud.stopBroker();
            Thread.sleep(s.brokerDown().toMillis());
            rig.cloud.startBroker();
            long downMillis = (System.nanoTime() - stopped) / 1_000_000;
            o.saw("broker stopped when it had accepted " + acceptedAtStop
                    + " readings and " + before + " had reached the WebSocket client; back after " + downMillis
                    + " ms on port " + rig.cloud.mqttPort());

            JsonNode summary = run.await(Duration.ofMinutes(5));
            Rig.settle(receiver, thing, s.readings());
            Tally.Counts counts = receiver.counts(thing, s.readings());
            o.row(Outcome.Row.of("readings of " + thing + ", counted by (deviceId, seq) at a WebSocket client", counts));
            o.saw("device client summary: generated " + summary.path("generated") + ", acked " + summary.path("acked")
                    + ", publish attempts " + summary.path("sent") + ", retried " + summary.path("retried")
                    + ", reconnects " + summary.path("reconnects") + ", pending " + summary.path("pending")
                    + ", exit 0");
            long drops = stream.drops();
            o.saw("readings dropped by local mode's bounded rule-action queue: " + drops);
            o.logged.addAll(firstLines(rig.logs.take(), 8));
            o.check(counts.missing() == 0, "0 readings missing (was " + counts.missing() + ")");
            o.check(counts.unexpected() == 0, "no seq outside 0.." + (s.readings() - 1));
            o.check(summary.path("reconnects").asLong() > 0, "the device client reconnected after the restart");
            o.check(summary.path("pending").asLong() == 0, "nothing left in the outbox");
            o.check(drops == 0, "no reading dropped by the rule-action queue");
        }
        return o;
    }

    static java.util.List<String> firstLines(java.util.List<String> lines, int n) {
        java.util.List<String> distinct = lines.stream().distinct().toList();
        if (distinct.size() <= n) {
            return distinct;
        }
        java.util.List<String> shown = new java.util.ArrayList<>(distinct.subList(0, n));
        shown.add("... and " + (distinct.size() - n) + " more lines of the same kinds");
        return shown;
    }
}
