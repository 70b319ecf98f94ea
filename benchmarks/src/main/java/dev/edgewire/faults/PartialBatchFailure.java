package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.contract.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Scenario 7: the fan-out fails part of a batch. While a device streams, the {@code @connections} API
 * refuses every post to half of the watchers with 429 {@code LimitExceededException} for a few seconds
 * (what API Gateway answers when a client's buffer is full or the request rate is over its limit), and
 * takes the posts to the other half as usual. So each batch in that window is delivered to part of its
 * audience and fails for the rest: the fan-out hands the failed posts over as continuations (attempts 2
 * and 3, each an asynchronous invocation with Lambda's two retries), which deliver them once the refusals
 * end. Every watcher is counted: none may miss a reading, and those whose posts never failed must get
 * each exactly once.
 */
final class PartialBatchFailure {

    static final String THING = "fault-partial";
    private static final Pattern FAILED_POST = Pattern.compile("post to connection (\\S+) failed");
    /** A reading arriving this long after the rule took it counts as late. */
    private static final long LATE_MILLIS = 1_000;

    private PartialBatchFailure() {
    }

    static Outcome run(java.nio.file.Path work, Settings settings, java.nio.file.Path deviceJar, LogCapture logs)
            throws Exception {
        Settings.Partial s = settings.partial();
        Outcome o = new Outcome("partial-batch-failure", "7. The fan-out fails part of a batch: posts to "
                + s.refused() + " of " + s.watchers() + " watchers refused for " + s.refusedFor().toSeconds() + " s");
        o.setup = "Local mode in process, on its own state (the readings queue keeps AWS's visibility timeout, "
                + Topology.ReadingsQueue.visibilityTimeout().toSeconds() + " s). " + s.watchers() + " WebSocket watchers "
                + "connect and each learns its connection id (it sends a chat message and reads the `from` of its own copy). "
                + "The device client streams " + s.readings() + " readings at QoS 1, " + (long) s.rate() + "/s. Once the "
                + "broker has accepted 30% of them, `LocalCloud.refusePosts(ids, " + s.refusedFor().toSeconds() + " s)` "
                + "has local mode's `@connections` API answer every POST to " + s.refused() + " of the watchers with 429 "
                + "`LimitExceededException` (API Gateway's answer when a client's WebSocket buffer is full or the request "
                + "rate is over its limit), while posts to the other " + (s.watchers() - s.refused()) + " go through. "
                + "Each batch of that window is then delivered to part of its audience and fails for the rest: the SDK "
                + "retries each refused post (3 attempts, throttling backoff), then the fan-out hands the failed ones over "
                + "as a continuation (attempt 2, then 3: asynchronous invocations, each with Lambda's 2 retries, 2 and "
                + "4 s apart in local mode). Counted per watcher by (deviceId, seq): sent is readings x watchers. "
                + "Lateness is from the rule's `receivedAt` to the arrival at the watcher (same clock).";
        logs.take();
        try (Rig rig = Rig.own("partial", work, deviceJar, settings, logs, List.of(THING), c -> c);
             Watchers watchers = Watchers.open(rig.stage(), s.watchers(), null)) {
            watchers.learnConnectionIds(Duration.ofSeconds(30));
            Set<String> refusedIds = watchers.all().subList(0, s.refused()).stream()
                    .map(Watchers.Watcher::connectionId).collect(Collectors.toSet());
            Histogram[] lateness = {new ConcurrentHistogram(3), new ConcurrentHistogram(3)};
            long[] late = new long[2];
            watchers.listen((w, deviceId, seq, receivedAt, arrived, first) -> {
                if (first && THING.equals(deviceId)) {
                    int group = w.index < s.refused() ? 0 : 1;
                    long millis = Math.max(0, System.currentTimeMillis() - receivedAt);
                    lateness[group].recordValue(millis);
                    if (millis > LATE_MILLIS) {
                        synchronized (late) {
                            late[group]++;
                        }
                    }
                }
            });
            Rig.awaitFanOutSees();
            logs.take();
            long keptBefore = rig.cloud.keptFailures();
            long acceptedBefore = rig.cloud.acceptedMessages();
            DeviceRun run = DeviceRun.simulate(deviceJar, rig.cloud, THING, s.readings(), s.rate(),
                    work.resolve(THING + ".outbox.db"), work, THING);
            o.command = run.commandLine();
            awaitAccepted(rig, acceptedBefore, s.readings() * 3 / 10);
            long atRefusal = watchers.everywhere(THING, 0, s.readings());
            rig.cloud.refusePosts(refusedIds, s.refusedFor());
            o.saw("posts to " + refusedIds.size() + " watchers refused from when the broker had accepted "
                    + (rig.cloud.acceptedMessages() - acceptedBefore) + " readings (" + atRefusal
                    + " had reached every watcher), for " + s.refusedFor().toMillis() + " ms");

            JsonNode summary = run.await(Duration.ofMinutes(5));
            long streamEnded = System.nanoTime();
            Tally.settle(() -> watchers.readings(THING, 0, s.readings()).missing() == 0,
                    () -> watchers.readings(THING, 0, s.readings()).received(), Duration.ofSeconds(20),
                    Duration.ofMinutes(3));
            long settledMillis = (System.nanoTime() - streamEnded) / 1_000_000;
            Thread.sleep(1_000); // a duplicate would come right behind
            Tally.Counts all = watchers.readings(THING, 0, s.readings());
            Tally.Counts refusedCounts = watchers.readings(THING, 0, s.readings(), w -> w.index < s.refused());
            Tally.Counts otherCounts = watchers.readings(THING, 0, s.readings(), w -> w.index >= s.refused());
            o.row(Outcome.Row.of("readings of " + THING + " at all " + s.watchers() + " watchers (sent = "
                    + s.readings() + " readings x " + s.watchers() + " watchers)", all));
            o.row(Outcome.Row.of("of those, at the " + s.refused() + " watchers whose posts were refused", refusedCounts));
            o.row(Outcome.Row.of("of those, at the other " + (s.watchers() - s.refused()) + " watchers", otherCounts));

            List<String> logged = logs.take();
            long refusedPosts = rig.cloud.refusedPosts();
            long failedToRefused = 0;
            long failedToOthers = 0;
            for (String line : logged) {
                Matcher m = FAILED_POST.matcher(line);
                if (m.find()) {
                    if (refusedIds.contains(m.group(1))) {
                        failedToRefused++;
                    } else {
                        failedToOthers++;
                    }
                }
            }
            long continuationRetries = logged.stream().filter(l -> l.contains("failed (attempt")).count();
            long continuationsKept = logged.stream().filter(l -> l.contains("its event is kept in")).count();
            long batchesFailed = logged.stream().filter(l -> l.contains("the queue hands them out again")).count();
            long kept = rig.cloud.keptFailures() - keptBefore;
            o.saw("device client: generated " + summary.path("generated") + ", acked " + summary.path("acked")
                    + ", pending " + summary.path("pending") + ", exit 0");
            o.saw("@connections POSTs refused with 429 LimitExceededException: " + refusedPosts + " (the SDK's 3 "
                    + "attempts per post included); posts the fan-out gave up on after the SDK's retries: "
                    + failedToRefused + " to the refused watchers, " + failedToOthers + " to the others");
            o.saw("continuation invocations that failed and were retried by Lambda's asynchronous retries: "
                    + continuationRetries + "; continuations kept in the failed-invocations queue: " + continuationsKept
                    + " (failure records kept: " + kept + "); batches reported failed to the queue: " + batchesFailed);
            o.saw("first copies arriving more than " + LATE_MILLIS + " ms after the rule took the reading: "
                    + late[0] + " at the refused watchers, " + late[1] + " at the others; lateness p50/p99/max: "
                    + percentiles(lateness[0]) + " (refused) and " + percentiles(lateness[1]) + " (others)");
            o.saw("every watcher had every reading " + settledMillis + " ms after the device client had its last "
                    + "acknowledgement");
            o.logged.addAll(BrokerRestart.firstLines(logged, 8));

            o.check(all.missing() == 0, "no watcher misses a reading (missing " + all.missing() + ")");
            o.check(refusedPosts > 0 && failedToRefused > 0, "posts to the refused watchers were refused and failed");
            o.check(failedToOthers == 0, "no post to another watcher failed (" + failedToOthers + ")");
            o.check(otherCounts.duplicated() == 0, "the watchers whose posts never failed got each reading once ("
                    + otherCounts.duplicated() + " duplicates)");
            o.check(summary.path("pending").asLong() == 0, "the device delivered every reading to the broker");
        }
        return o;
    }

    static void awaitAccepted(Rig rig, long before, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (rig.cloud.acceptedMessages() - before < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker accepted only " + (rig.cloud.acceptedMessages() - before)
                        + " of " + n + " messages within 2 minutes");
            }
            Thread.sleep(5);
        }
    }

    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "none";
        }
        return String.format(Locale.ROOT, "%d/%d/%d ms", h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getMaxValue());
    }
}
