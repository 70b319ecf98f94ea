package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.device.outbox.Outbox;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Scenario 2: the device client is killed with SIGKILL in the middle of a stream and started again
 * on the same outbox. The second run sends what the first left unacknowledged and produces the
 * rest, so the receiver must see every seq of the whole stream.
 */
final class DeviceKill {

    private DeviceKill() {
    }

    static Outcome run(Rig rig) throws Exception {
        Settings s = rig.settings;
        String thing = Rig.KILL_THING;
        Outcome o = new Outcome("device-kill", "2. The device client killed with SIGKILL mid-stream and restarted");
        o.setup = "Local mode in process; the device client streams " + s.readings() + " readings at QoS 1, "
                + (long) s.rate() + "/s; 40% of the stream's paced duration after its first reading reached the broker, its process gets SIGKILL "
                + "(`Process.destroyForcibly()`); a second run on the same outbox produces the rest "
                + "(`--count` = " + s.readings() + " minus the seqs the first run had stored, at least 1); "
                + "sent is every seq the two runs produced, read from the outbox.";
        Path outbox = rig.work.resolve(thing + ".outbox.db");
        try (Rig.Stream stream = rig.stream(thing, s.readings(), s.rate(), outbox, thing + "-first")) {
            Tally receiver = stream.receiver;
            DeviceRun first = stream.run;
            o.command = first.commandLine() + "   # killed with kill -9, then run again with --count <the rest>";
            // The kill is placed by the device's clock: readings are produced at the paced rate, while
            // what the broker has accepted lags behind when the machine is busy.
            stream.awaitAccepted(1);
            Thread.sleep((long) (0.4 * s.readings() / s.rate() * 1000));
            int exit = first.kill();
            int receivedAtKill = receiver.distinct(thing);
            long produced;
            int unacked;
            try (Outbox box = Outbox.open(outbox, 100_000, Outbox.Durability.PROCESS_CRASH)) {
                produced = box.peekNextSeq(thing);
                unacked = box.pending(thing).size();
            }
            o.saw("first run killed, exit status " + exit + " (128 + 9); " + receivedAtKill
                    + " readings had reached the WebSocket client; the outbox held seqs 0.." + (produced - 1)
                    + ", " + unacked + " of them unacknowledged");
            // Normally the kill comes before the last seq is produced and the second run produces the rest;
            // on a slow machine the first run may have produced them all, and the second then produces one.
            long rest = Math.max(1, s.readings() - produced);
            DeviceRun second = DeviceRun.simulate(rig.deviceJar, rig.cloud, thing, rest, s.rate(), outbox,
                    rig.work, thing + "-second");
            JsonNode summary = second.await(Duration.ofMinutes(5));
            long sent;
            try (Outbox box = Outbox.open(outbox, 100_000, Outbox.Durability.PROCESS_CRASH)) {
                sent = box.peekNextSeq(thing);
            }
            o.saw("second run: resumed " + summary.path("resumed") + " readings left by the first, generated "
                    + summary.path("generated") + ", acked " + summary.path("acked") + ", pending "
                    + summary.path("pending") + ", exit 0; seqs produced over both runs: " + sent);
            Rig.settle(receiver, thing, sent);
            Tally.Counts counts = receiver.counts(thing, sent);
            o.row(Outcome.Row.of("readings of " + thing + " over both runs, counted by (deviceId, seq)", counts));
            long drops = stream.drops();
            o.saw("readings dropped by local mode's bounded rule-action queue: " + drops);
            o.logged.addAll(BrokerRestart.firstLines(rig.logs.take(), 8));
            o.check(unacked > 0, "the kill left readings unacknowledged, so the restart had something to recover");
            o.check(exit == 137, "the first run died of SIGKILL (exit 137, was " + exit + ")");
            o.check(counts.missing() == 0, "0 readings missing (was " + counts.missing() + ")");
            o.check(counts.unexpected() == 0, "no seq outside 0.." + (sent - 1));
            o.check(summary.path("resumed").asLong() == unacked, "the second run resumed exactly the "
                    + unacked + " unacknowledged readings (was " + summary.path("resumed") + ")");
            o.check(drops == 0, "no reading dropped by the rule-action queue");
        }
        return o;
    }
}
