package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 8: a worker dies midway through its shard. With more watchers than a shard holds, the fan-out
 * hands each shard to a synchronous worker invocation; local mode's fault injection
 * ({@code LocalCloud.crashWorkers}, {@code --fail-workers} on the command line) makes chosen worker
 * invocations post to half of their shard and then fail as a killed Lambda runtime does. The fan-out
 * tries a failed worker once more, and when that fails too hands its shard over as continuations; either
 * way the half that was posted gets the frames again. Counted at every watcher: no reading may be
 * missing, and the duplicates must be exactly the copies the crashed workers had delivered.
 */
final class WorkerKilled {

    static final String THING = "fault-worker";
    private static final Pattern CRASH = Pattern.compile("a worker for (\\d+) connections crashed after posting its "
            + "(\\d+) frames \\((\\d+) envelopes\\) to (\\d+) of them \\((\\S+) posts delivered\\)");

    private WorkerKilled() {
    }

    static Outcome run(Path work, Settings settings, Path deviceJar, LogCapture logs) throws Exception {
        Settings.Worker s = settings.worker();
        int shards = (s.watchers() + s.shardSize() - 1) / s.shardSize();
        int many = 4 * shards;
        Outcome o = new Outcome("worker-killed", "8. Workers killed midway through their shard, " + s.watchers()
                + " watchers in shards of " + s.shardSize());
        o.setup = "Local mode in process, on its own state, with shards of " + s.shardSize() + " connections ("
                + "`LocalConfig.withShardSize`, `--shard-size` on the command line; AWS's default is 500). "
                + s.watchers() + " WebSocket watchers connect, so every batch goes to " + shards + " worker invocations "
                + "(local mode runs each as a synchronous invocation of the fan-out handler with the shard event). The "
                + "device client streams " + s.readings() + " readings at QoS 1, " + (long) s.rate() + "/s. Once the "
                + "broker has accepted 30% of them, `LocalCloud.crashWorkers(1)`: the next worker invocation posts "
                + "every frame to the first half of its shard's connections, then fails as a killed runtime does "
                + "(`Runtime.ExitError`); the fan-out that invoked it knows nothing of the posts it made. At 60%, "
                + "`crashWorkers(" + many + ")`: with at most 2 batches in flight, every worker invocation of the next "
                + "batches fails, retry included, so their shards are handed over as continuations. Counted per "
                + "watcher by (deviceId, seq): sent is readings x watchers; each copy a crashed worker delivered must "
                + "show up as exactly one duplicate.";
        logs.take();
        try (Rig rig = Rig.own("worker", work, deviceJar, settings, logs, List.of(THING),
                c -> c.withShardSize(s.shardSize()));
             Watchers watchers = Watchers.open(rig.stage(), s.watchers(), null)) {
            Rig.awaitFanOutSees();
            logs.take();
            long acceptedBefore = rig.cloud.acceptedMessages();
            DeviceRun run = DeviceRun.simulate(deviceJar, rig.cloud, THING, s.readings(), s.rate(),
                    work.resolve(THING + ".outbox.db"), work, THING);
            o.command = run.commandLine() + "   # local mode: --shard-size " + s.shardSize()
                    + ", then crashWorkers(1) and crashWorkers(" + many + ") mid-stream (--fail-workers N)";
            PartialBatchFailure.awaitAccepted(rig, acceptedBefore, s.readings() * 3 / 10);
            rig.cloud.crashWorkers(1);
            boolean first = awaitCrashes(rig, Duration.ofSeconds(60));
            o.saw("1 worker crash asked for at 30% of the stream: " + (first ? "it happened" : "it did not happen"));
            PartialBatchFailure.awaitAccepted(rig, acceptedBefore, s.readings() * 6 / 10);
            rig.cloud.crashWorkers(many);
            boolean second = awaitCrashes(rig, Duration.ofSeconds(90));
            o.saw(many + " worker crashes asked for at 60%: " + (second ? "all happened"
                    : rig.cloud.pendingWorkerCrashes() + " did not happen"));

            JsonNode summary = run.await(Duration.ofMinutes(5));
            Tally.settle(() -> watchers.readings(THING, 0, s.readings()).missing() == 0,
                    () -> watchers.readings(THING, 0, s.readings()).received(), Duration.ofSeconds(20),
                    Duration.ofMinutes(3));
            Thread.sleep(1_000); // a duplicate would come right behind
            Tally.Counts counts = watchers.readings(THING, 0, s.readings());
            o.row(Outcome.Row.of("readings of " + THING + " at " + s.watchers() + " watchers (sent = " + s.readings()
                    + " readings x " + s.watchers() + " watchers)", counts));

            List<String> logged = logs.take();
            long crashes = 0;
            long expectedDuplicates = 0;
            boolean exact = true;
            for (String line : logged) {
                Matcher m = CRASH.matcher(line);
                if (m.find()) {
                    crashes++;
                    long frames = Long.parseLong(m.group(2));
                    long envelopes = Long.parseLong(m.group(3));
                    long half = Long.parseLong(m.group(4));
                    expectedDuplicates += envelopes * half;
                    exact &= m.group(5).equals(Long.toString(frames * half));
                }
            }
            long retried = logged.stream().filter(l -> l.contains("failed, trying once more")).count();
            long handedOver = logged.stream().filter(l -> l.contains("failed again; handing its")).count();
            long batchesFailed = logged.stream().filter(l -> l.contains("the queue hands them out again")).count();
            o.saw("device client: generated " + summary.path("generated") + ", acked " + summary.path("acked")
                    + ", pending " + summary.path("pending") + ", exit 0");
            o.saw("worker invocations crashed: " + crashes + "; shards tried once more: " + retried
                    + "; shards handed over as continuations after a second crash: " + handedOver
                    + "; batches reported failed to the queue: " + batchesFailed);
            o.saw("reading copies the crashed workers had delivered before dying (each a duplicate to come): "
                    + expectedDuplicates + (exact ? "" : " (some of their posts failed, so this is an upper bound)")
                    + "; duplicates counted at the watchers: " + counts.duplicated());
            o.logged.addAll(BrokerRestart.firstLines(logged, 8));

            o.check(counts.missing() == 0, "no watcher misses a reading (missing " + counts.missing() + ")");
            o.check(crashes == 1 + many, "every crash asked for happened (" + crashes + " of " + (1 + many) + ")");
            o.check(retried >= 1, "a crashed worker's shard was tried once more");
            o.check(handedOver >= 1, "a shard whose worker crashed twice was handed over as continuations");
            o.check(exact && counts.duplicated() == expectedDuplicates, "the duplicates are the copies the crashed "
                    + "workers delivered (" + counts.duplicated() + " counted, " + expectedDuplicates + " expected)");
            o.check(summary.path("pending").asLong() == 0, "the device delivered every reading to the broker");
        }
        return o;
    }

    private static boolean awaitCrashes(Rig rig, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (rig.cloud.pendingWorkerCrashes() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
