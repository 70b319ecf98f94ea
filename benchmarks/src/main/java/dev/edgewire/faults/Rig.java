package dev.edgewire.faults;

import dev.edgewire.contract.Outputs;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Local mode running in this JVM for the scenarios that do not kill it, with one thing per
 * scenario (so no stream's seqs mix with another's), and what every scenario needs beside it.
 */
final class Rig implements AutoCloseable {

    static final String BROKER_THING = "fault-broker";
    static final String KILL_THING = "fault-kill";
    static final String STORE_THING = "fault-store";
    static final String HEALTHY_THING = "fault-healthy";
    static final String OTHER_THING = "fault-other";

    final LocalCloud cloud;
    final Path work;
    final Path deviceJar;
    final Settings settings;
    final LogCapture logs;

    private Rig(LocalCloud cloud, Path work, Path deviceJar, Settings settings, LogCapture logs) {
        this.cloud = cloud;
        this.work = work;
        this.deviceJar = deviceJar;
        this.settings = settings;
        this.logs = logs;
    }

    /**
     * The readings queue's visibility timeout in the fault runs: five seconds, not AWS's three minutes, so a
     * batch the fan-out failed is received again within the scenario; still longer than a failing batch
     * takes, so no reading is handed to two pollers at once.
     */
    static final java.time.Duration READINGS_VISIBILITY_TIMEOUT = java.time.Duration.ofSeconds(5);

    static Rig start(Path work, Path deviceJar, Settings settings, LogCapture logs) throws Exception {
        LocalCloud cloud = LocalCloud.start(LocalConfig.defaults()
                .withStateDir(work.resolve("local-state"))
                .withPorts(0, 0, 0)
                .withThings(List.of(HEALTHY_THING, BROKER_THING, KILL_THING, STORE_THING, OTHER_THING))
                .withReadingsVisibilityTimeout(READINGS_VISIBILITY_TIMEOUT)
                .withConnectionsPerSubject(dev.edgewire.benchmarks.LocalModeProcess.CONNECTIONS_PER_SUBJECT));
        return new Rig(cloud, work, deviceJar, settings, logs);
    }

    /**
     * Local mode in this JVM for one scenario alone, on a state folder of its own under {@code work}, with its own
     * things and, through {@code configure}, settings of its own; the readings queue keeps AWS's visibility timeout.
     */
    static Rig own(String name, Path work, Path deviceJar, Settings settings, LogCapture logs, List<String> things,
            java.util.function.UnaryOperator<LocalConfig> configure) throws Exception {
        LocalCloud cloud = LocalCloud.start(configure.apply(LocalConfig.defaults()
                .withStateDir(work.resolve(name + "-state"))
                .withPorts(0, 0, 0)
                .withThings(things)
                .withConnectionsPerSubject(dev.edgewire.benchmarks.LocalModeProcess.CONNECTIONS_PER_SUBJECT)));
        return new Rig(cloud, work, deviceJar, settings, logs);
    }

    URI stage() {
        return stage(cloud.token());
    }

    URI stage(String token) {
        return URI.create(cloud.outputs().get(Outputs.WEB_SOCKET_URL) + "/" + stageName() + "?token=" + token);
    }

    String stageName() {
        String callback = cloud.outputs().get(Outputs.CALLBACK_URL);
        return callback.substring(callback.lastIndexOf('/') + 1);
    }

    /**
     * Waits out the fan-out's connection-id cache, the documented staleness bound: a connection
     * made just now receives every reading fanned out from then on.
     */
    static void awaitFanOutSees() throws InterruptedException {
        Thread.sleep(1_200);
    }

    /** Waits until {@code receiver} holds at least {@code n} distinct readings of {@code thing}. */
    static void awaitReadings(Tally receiver, String thing, long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (receiver.distinct(thing) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + receiver.distinct(thing) + " of " + n + " readings of "
                        + thing + " arrived within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Starts a counted stream: reads local mode's counters, connects a receiver and waits until the
     * fan-out sees it, then starts the device client for {@code count} readings of {@code thing}.
     */
    Stream stream(String thing, long count, double rate, Path outbox, String logName) throws Exception {
        long dropsBefore = cloud.droppedRuleActions();
        logs.take();
        long acceptedBefore = cloud.acceptedMessages();
        Tally receiver = Tally.connect(stage());
        try {
            awaitFanOutSees();
            DeviceRun run = DeviceRun.simulate(deviceJar, cloud, thing, count, rate, outbox, work, logName);
            return new Stream(receiver, run, acceptedBefore, dropsBefore);
        } catch (Exception | Error e) {
            receiver.close();
            throw e;
        }
    }

    /** A stream under way: its receiver, its device client run, and local mode's counters from its start. */
    final class Stream implements AutoCloseable {
        final Tally receiver;
        final DeviceRun run;
        private final long acceptedBefore;
        private final long dropsBefore;

        private Stream(Tally receiver, DeviceRun run, long acceptedBefore, long dropsBefore) {
            this.receiver = receiver;
            this.run = run;
            this.acceptedBefore = acceptedBefore;
            this.dropsBefore = dropsBefore;
        }

        /** Messages the broker accepted since the stream started. */
        long accepted() {
            return cloud.acceptedMessages() - acceptedBefore;
        }

        /** Readings the rule-action queue dropped since the stream started. */
        long drops() {
            return cloud.droppedRuleActions() - dropsBefore;
        }

        /**
         * Waits until the broker has accepted {@code n} messages of the stream: a fault is placed by what
         * the broker took, not by what the receiver got (under load it lags behind).
         */
        void awaitAccepted(long n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (accepted() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker accepted only " + accepted() + " of " + n
                            + " messages within 2 minutes");
                }
                Thread.sleep(5);
            }
        }

        @Override
        public void close() {
            receiver.close();
        }
    }

    /** Waits until every reading arrived, or none has for 10 s (then the rest is missing). */
    static void settle(Tally receiver, String thing, long sent) throws InterruptedException {
        Tally.settle(() -> receiver.distinct(thing) >= sent, () -> receiver.distinct(thing),
                Duration.ofSeconds(10), Duration.ofMinutes(3));
    }

    @Override
    public void close() {
        cloud.close();
    }
}
