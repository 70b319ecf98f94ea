package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.benchmarks.LocalModeProcess;
import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalMode;
import dev.edgewire.local.lambda.LocalLambdas;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Scenario 6: local mode killed with SIGKILL, with its store, while readings wait in its readings queue,
 * then started again on the same state folder. The readings pile up because the queue's event source
 * mapping is disabled ({@code --no-readings-mapping}, Lambda's {@code Enabled=false}), as a user pauses a
 * consumer; the scenario reads the queue's depth through SQS before the kill and after the restart,
 * then enables the mapping through the Lambda API ({@code UpdateEventSourceMapping}) once a watcher is
 * connected, and counts at the watchers of both runs what the fan-out delivered.
 */
final class LocalModeKill {

    static final String THING = "fault-local-kill";
    private static final String PAUSED = "--no-readings-mapping";
    private static final Duration QUEUE_WAIT = Duration.ofMinutes(2);

    private LocalModeKill() {
    }

    /** How long after the queue holds every reading the kill waits, so the last send has been answered. */
    static final Duration ACKNOWLEDGED_AFTER = Duration.ofMillis(250);

    static Outcome run(Path work, Settings s, Path deviceJar) throws Exception {
        long n = s.queuedReadings();
        Outcome o = new Outcome("local-mode-kill", "6. Local mode killed with SIGKILL while "
                + String.format(Locale.ROOT, "%,d", n) + " readings wait in its readings queue");
        o.setup = "Local mode as a child JVM (`" + LocalMode.class.getName() + "`, as local/bin/edgewire-local runs it) "
                + "started with `" + PAUSED + "`: its readings queue's event source mapping is disabled (Lambda's "
                + "`Enabled=false`), so readings stay in the queue. A WebSocket watcher connects; the device client "
                + "publishes " + n + " readings at QoS 1, " + (long) s.rate() + "/s, and gets every PUBACK; the "
                + "scenario reads the queue's depth through SQS (`ApproximateNumberOfMessages` + `...NotVisible` + "
                + "`...Delayed`, queue URL from the outputs file) until it holds them all, waits " + ACKNOWLEDGED_AFTER.toMillis()
                + " ms more (ElasticMQ counts a message once it holds it in memory, before its store has written it and "
                + "the rule's send has been answered), and sends SIGKILL "
                + "(`Process.destroyForcibly()`) to local mode and to the processes it started (its store, dynalite). "
                + "Local mode starts again on the same state folder, still paused; the scenario reads the queue's depth, "
                + "connects a second watcher, enables the mapping with the Lambda API's `UpdateEventSourceMapping` "
                + "(`Enabled=true`, the SDK's Lambda client against the WebSocket port) and waits until the queue "
                + "has drained. Readings are counted by (deviceId, seq) over both watchers together, so a reading "
                + "delivered before the kill counts once, wherever it arrived.";
        o.command = "local/bin/edgewire-local --state-dir <dir> " + PAUSED + " ...; <device client below>; "
                + "kill -9 <local mode> <its dynalite>; local/bin/edgewire-local --state-dir <dir> " + PAUSED
                + " ...; UpdateEventSourceMapping --uuid <mapping> --enabled";
        Path state = work.resolve("local-kill-state");
        Path log = work.resolve("local-kill-local-mode.log");
        Files.deleteIfExists(log);
        long scenarioStarted = System.nanoTime();

        Tally before;
        Depth atKill;
        long killGapMillis;
        LocalModeProcess.Killed killed;
        JsonNode summary;
        try (LocalModeProcess first = LocalModeProcess.restartable(state, log, List.of(THING), List.of(PAUSED))) {
            Map<String, String> outputs = first.outputs();
            try (Cloud cloud = Cloud.of(outputs)) {
                o.saw("first start: ready after " + first.readyMillis() + " ms; the readings' event source mapping "
                        + cloud.mapping().uuid() + " is " + cloud.mapping().state());
                before = Tally.connect(first.stage());
                Rig.awaitFanOutSees();
                DeviceRun run = DeviceRun.simulate(deviceJar, first.outputsFile(), THING,
                        Path.of(outputs.get(Outputs.CERTIFICATE_FILE)), Path.of(outputs.get(Outputs.PRIVATE_KEY_FILE)),
                        n, s.rate(), work.resolve(THING + ".outbox.db"), work, THING);
                o.command = o.command.replace("<device client below>", run.commandLine());
                summary = run.await(Duration.ofMinutes(5));
                o.saw("device client: generated " + summary.path("generated") + ", acked " + summary.path("acked")
                        + ", pending " + summary.path("pending") + ", exit 0");
                cloud.awaitDepth(d -> d.total() >= n, QUEUE_WAIT);
                // ElasticMQ counts a message as soon as it holds it in memory; the write to its store, and so
                // the answer to the rules' SendMessageBatch, can still be under way for the last batch. What
                // must survive is what SQS acknowledged: give the last answer time to go out, then kill.
                Thread.sleep(ACKNOWLEDGED_AFTER.toMillis());
                atKill = cloud.depth();
                long confirmed = System.nanoTime();
                killed = first.killWithChildren();
                killGapMillis = (killed.signalledAt() - confirmed) / 1_000_000;
            }
        }
        int deliveredBefore = before.distinct(THING);
        before.abort();
        o.saw("readings queue before the kill: " + atKill + "; delivered to the watcher meanwhile: " + deliveredBefore);
        o.saw("SIGKILL " + (ACKNOWLEDGED_AFTER.toMillis() + killGapMillis) + " ms after the queue reported them all; local mode's JVM exit status "
                + killed.exitStatus() + "; killed with it: " + (killed.children().isEmpty() ? "nothing"
                : String.join(", ", killed.children())) + (killed.childrenDead() ? " (gone)" : " (STILL RUNNING)"));

        Depth restored;
        Depth atEnd;
        Tally.Counts counts;
        long drainMillis;
        KeptReadings kept;
        List<Long> missing;
        try (LocalModeProcess second = LocalModeProcess.restartable(state, log, List.of(THING), List.of(PAUSED))) {
            int logMark = second.logText().length();
            Map<String, String> outputs = second.outputs();
            try (Cloud cloud = Cloud.of(outputs); Tally after = Tally.connect(second.stage())) {
                restored = cloud.depth();
                o.saw("started again on the same state folder: ready after " + second.readyMillis() + " ms; readings "
                        + "queue: " + restored + "; mapping " + cloud.mapping().state());
                Rig.awaitFanOutSees();
                List<Tally> watchers = List.of(before, after);
                long enabled = System.nanoTime();
                EventSourceMappingConfiguration mapping = cloud.enableMapping();
                o.saw("UpdateEventSourceMapping " + mapping.uuid() + " Enabled=true: state " + mapping.state());
                Tally.settle(() -> Tally.union(THING, n, watchers).received() >= n,
                        () -> Tally.union(THING, n, watchers).received(), Duration.ofSeconds(10), Duration.ofMinutes(5));
                drainMillis = (System.nanoTime() - enabled) / 1_000_000;
                atEnd = cloud.awaitDepth(d -> d.total() == 0, Duration.ofSeconds(30));
                Thread.sleep(500); // a duplicate would arrive right behind
                counts = Tally.union(THING, n, watchers);
                missing = new ArrayList<>();
                for (long seq = 0; seq < n; seq++) {
                    if (!before.has(THING, seq) && !after.has(THING, seq)) {
                        missing.add(seq);
                    }
                }
                o.saw("after enabling: " + counts.received() + " readings at the watchers within " + drainMillis
                        + " ms; readings queue then: " + atEnd);
                kept = KeptReadings.of(outputs, THING);
            }
            o.logged.addAll(BrokerRestart.firstLines(warnings(second.logText().substring(logMark)), 8));
        }
        o.row(new Outcome.Row("readings of " + THING + " in the readings queue (sent = acknowledged to the device, "
                + "received = in the queue after the restart)", n, Math.min(n, restored.total()),
                Math.max(0, n - restored.total()), Math.max(0, restored.total() - n)));
        o.row(Outcome.Row.of("readings of " + THING + ", counted by (deviceId, seq) at the WebSocket watchers of both "
                + "runs", counts));
        o.saw("missing seqs: " + StoreOutage.ranges(missing));
        o.saw("kept in the readings' dead-letter queue: " + kept.deadLetters().size() + "; in the failed-deliveries "
                + "queue: " + kept.deliveries().size() + "; scenario time " + (System.nanoTime() - scenarioStarted)
                / 1_000_000 + " ms");

        o.check(summary.path("acked").asLong() == n && summary.path("pending").asLong() == 0,
                "the broker acknowledged every reading (acked " + summary.path("acked") + " of " + n + ")");
        o.check(atKill.total() == n, "the readings queue held all " + n + " readings before the kill (" + atKill + ")");
        o.check(deliveredBefore == 0, "no reading was delivered while the mapping was disabled (" + deliveredBefore + ")");
        o.check(killed.exitStatus() == 137, "local mode died of SIGKILL (exit 137, was " + killed.exitStatus() + ")");
        o.check(!killed.children().isEmpty() && killed.childrenDead(), "the processes local mode started were killed "
                + "with it (" + killed.children() + ")");
        o.check(restored.total() == n, "every queued reading was in the queue after the restart (" + restored.total()
                + " of " + n + ")");
        o.check(counts.missing() == 0, "0 readings missing (was " + counts.missing() + ")");
        o.check(counts.received() == n, "every reading arrived, counted once per seq (" + counts.received() + " of " + n + ")");
        o.check(counts.unexpected() == 0, "no seq outside 0.." + (n - 1));
        o.check(atEnd.total() == 0, "the queue drained (" + atEnd + ")");
        o.check(kept.all().isEmpty(), "no reading ended in a failure queue (" + kept.all().size() + ")");
        return o;
    }

    private static List<String> warnings(String log) {
        List<String> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                lines.add(line.strip());
            }
        }
        return lines;
    }

    /** The readings queue's depth as SQS reports it. */
    record Depth(long visible, long notVisible, long delayed) {
        long total() {
            return visible + notVisible + delayed;
        }

        @Override
        public String toString() {
            return total() + " messages (" + visible + " visible, " + notVisible + " in flight, " + delayed + " delayed)";
        }
    }

    /**
     * The readings queue and its event source mapping as a user reaches them: the SDK's SQS client at
     * {@code SqsEndpoint} with {@code ReadingsQueueUrl}, the SDK's Lambda client at the web server's origin,
     * both with local mode's credentials.
     */
    record Cloud(SqsClient sqs, LambdaClient lambda, String queueUrl, String queueArn) implements AutoCloseable {

        static Cloud of(Map<String, String> outputs) {
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey()));
            SqsClient sqs = SqsClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                    .endpointOverride(URI.create(outputs.get(Outputs.SQS_ENDPOINT)))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            URI callback = URI.create(outputs.get(Outputs.CALLBACK_URL));
            LambdaClient lambda = LambdaClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                    .endpointOverride(URI.create(callback.getScheme() + "://" + callback.getAuthority()))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            String url = outputs.get(Outputs.READINGS_QUEUE_URL);
            String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            return new Cloud(sqs, lambda, url, arn);
        }

        Depth depth() {
            Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
            return new Depth(Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)),
                    Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)),
                    Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "0")));
        }

        /** Reads the depth every 20 ms until {@code done} holds or {@code timeout} passes; returns the last. */
        Depth awaitDepth(java.util.function.Predicate<Depth> done, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            Depth depth = depth();
            while (!done.test(depth) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                depth = depth();
            }
            return depth;
        }

        /** The mapping from this queue to the fan-out, found by listing as a user would. */
        EventSourceMappingConfiguration mapping() {
            List<EventSourceMappingConfiguration> found = lambda.listEventSourceMappings(b -> b
                    .functionName(LocalLambdas.functionArn(Topology.ReadingsQueue.CONSUMER))
                    .eventSourceArn(queueArn)).eventSourceMappings();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one event source mapping from " + queueArn + ", found " + found);
            }
            return found.getFirst();
        }

        EventSourceMappingConfiguration enableMapping() {
            String uuid = mapping().uuid();
            var updated = lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true));
            return EventSourceMappingConfiguration.builder().uuid(updated.uuid()).state(updated.state()).build();
        }

        @Override
        public void close() {
            sqs.close();
            lambda.close();
        }
    }
}
