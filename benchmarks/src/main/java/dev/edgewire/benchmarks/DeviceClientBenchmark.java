package dev.edgewire.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Topology;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.dataset.ReadingGenerator;
import dev.edgewire.device.dataset.ReadingWriter;
import dev.edgewire.device.outbox.Outbox;
import dev.edgewire.device.simulate.Simulation;
import dev.edgewire.device.simulate.SimulationPlan;
import dev.edgewire.device.simulate.Summary;
import dev.edgewire.device.tls.TlsMaterial;
import dev.edgewire.device.transport.Backoff;
import dev.edgewire.device.transport.MqttSettings;
import dev.edgewire.device.transport.MqttTransport;
import dev.edgewire.device.transport.Transport;
import dev.edgewire.local.policy.ObserverPolicy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Benchmarks 3 and 4, through the device client's CLI ({@code edgewire-device simulate}) against
 * local mode's broker and HTTPS endpoint in a child JVM: HTTPS publishing over one kept-alive
 * connection against a new TLS connection per message (3), and the QoS 1 MQTT publish rate against
 * {@code mosquitto_pub -l} and against the AWS IoT Device SDK for Java v2's MQTT 5 client
 * ({@link SdkDevice}) on the same broker with the same certificate and the same readings (4): warm,
 * in this JVM, and as whole processes.
 */
final class DeviceClientBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String THING = "thing-1";

    /**
     * What was measured. {@code mosquittoDelivered} is the fewest of mosquitto_pub's readings that reached the
     * observer's subscriber in any of its runs;
     * {@code mosquittoLastDeliveryMillis}, how long after mosquitto_pub exited the last of them arrived
     * (negative: before it exited).
     */
    record Result(Spread httpsReuse, Spread httpsFresh, Spread cliWhole, Spread cliInProcess, Spread mosquitto,
                  Spread sdkWhole, Spread sdkInProcess, List<Steady> steady,
                  int httpsMessages, int mqttMessages, int steadyMessages, int mosquittoDelivered,
                  Spread mosquittoLastDeliveryMillis, List<String> commands) {

        /** The steady-state figures of one client. */
        Steady steady(String client) {
            return steady.stream().filter(s -> s.client().equals(client)).findFirst().orElseThrow();
        }
    }

    /** Clients of the steady-state measurement, in the report's order. */
    static final String OURS_OUTBOX = "device client, outbox on";
    static final String OURS_NO_OUTBOX = "device client, outbox off";
    static final String SDK = "AWS IoT Device SDK v2, Mqtt5Client";
    static final String SDK_PACED = "AWS IoT Device SDK v2, Mqtt5Client with the builder's IoT Core flow control";
    /** Readings for the paced SDK client: 3 s at its 100 a second. */
    static final int SDK_PACED_MESSAGES = 300;

    /**
     * One client's warm, in-process run: PUBACKs a second, and CPU per acknowledged message in
     * microseconds, of this JVM (the client; the suite's other threads are idle meanwhile) and of local
     * mode's (the broker and what runs behind it).
     */
    record Steady(String client, Spread rate, Spread clientCpuMicros, Spread brokerCpuMicros) {
    }

    /** Messages in flight for every MQTT client here that lets the bound be chosen: the CLI's default. */
    static final int MAX_IN_FLIGHT = 100;

    private DeviceClientBenchmark() {
    }

    /** Readings sent over a reused connection for each one sent with a new connection per message. */
    static final int REUSE_FACTOR = 10;

    /** The timestamp of the readings of {@link #readings(int)}; each of mosquitto_pub's runs has one of its own. */
    static final Instant READINGS_TS = Instant.parse("2026-11-29T21:00:00.000Z");
    /** How long the observer's subscriber runs at most; mosquitto_pub has as long as any command here. */
    static final Duration SUBSCRIBER_TIMEOUT = Duration.ofMinutes(15);
    /** How long after mosquitto_pub exits its last reading may take to reach the subscriber. */
    static final Duration DELIVERY_WAIT = Duration.ofSeconds(60);

    static Path cliJar(Path root) {
        Path jar = root.resolve("device-client/target/edgewire-device.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no device client jar at " + jar + "; build with ./mvnw -pl device-client -am package");
        }
        return jar;
    }

    static Result run(Path root, int httpsMessages, int mqttMessages, int steadyMessages, int reps, boolean warmUp)
            throws Exception {
        cliJar(root); // fails early, with the build command, when the CLI is not built
        Path work = Files.createTempDirectory("edgewire-bench-device");
        List<String> commands = new ArrayList<>();
        try (LocalModeProcess local = LocalModeProcess.start(root, List.of(THING))) {
            Path readings = work.resolve("readings.jsonl");
            StringBuilder lines = new StringBuilder();
            for (byte[] reading : readings(mqttMessages)) {
                lines.append(new String(reading, StandardCharsets.UTF_8)).append('\n');
            }
            Files.writeString(readings, lines);
            List<Steady> steady = steady(local, work, steadyMessages, reps);
            List<Double> sdkWhole = new ArrayList<>();
            List<Double> sdkIn = new ArrayList<>();
            List<Double> reuse = new ArrayList<>();
            List<Double> fresh = new ArrayList<>();
            List<Double> cliWhole = new ArrayList<>();
            List<Double> cliIn = new ArrayList<>();
            List<Double> mosq = new ArrayList<>();
            List<Double> lastDelivery = new ArrayList<>();
            int delivered = Integer.MAX_VALUE;
            Path mosquittoReadings = work.resolve("mosquitto-readings.jsonl");
            for (int rep = warmUp ? 0 : 1; rep <= reps; rep++) { // repetition 0 warms the broker and the page cache up
                List<String> https = simulate(root, local, work, REUSE_FACTOR * httpsMessages, "--protocol", "https");
                List<String> httpsFresh = simulate(root, local, work, httpsMessages, "--protocol", "https",
                        "--new-connection-per-message");
                List<String> mqtt = simulate(root, local, work, mqttMessages);
                List<String> mosquitto = List.of("mosquitto_pub", "-h", "localhost", "-p", Integer.toString(local.mqttPort()),
                        "--cafile", local.caFile().toString(), "--cert", local.certificateFile(THING).toString(),
                        "--key", local.privateKeyFile(THING).toString(), "-i", THING, "-t", "devices/" + THING + "/telemetry",
                        "-q", "1", "-l");
                // The same readings, but for their timestamp, which is this run's own: the subscriber counts this
                // run's, not an earlier run's that the broker might still be delivering (the SDK sends the same lines).
                Set<String> sent = new HashSet<>();
                StringBuilder run = new StringBuilder();
                for (byte[] reading : readings(mqttMessages, READINGS_TS.plusSeconds(rep + 1L))) {
                    String line = new String(reading, StandardCharsets.UTF_8);
                    sent.add(line);
                    run.append(line).append('\n');
                }
                Files.writeString(mosquittoReadings, run);
                List<String> subscriber = ObserverSubscriber.command(local, mqttMessages, SUBSCRIBER_TIMEOUT);
                double r = summary(https, REUSE_FACTOR * httpsMessages, work).path("ratePerSecond").asDouble();
                double f = summary(httpsFresh, httpsMessages, work).path("ratePerSecond").asDouble();
                long t0 = System.nanoTime();
                JsonNode s = summary(mqtt, mqttMessages, work);
                double cliSeconds = (System.nanoTime() - t0) / 1e9;
                ObserverSubscriber.Delivery delivery;
                double mosqSeconds;
                Instant mosquittoExited;
                try (ObserverSubscriber observer = ObserverSubscriber.start(subscriber, work)) {
                    t0 = System.nanoTime();
                    exec(mosquitto, mosquittoReadings, work);
                    mosqSeconds = (System.nanoTime() - t0) / 1e9;
                    mosquittoExited = Instant.now();
                    delivery = observer.await(sent, DELIVERY_WAIT);
                    if (delivery.delivered() != mqttMessages) {
                        // Reported, not fatal: the broker keeps at most 1,000 messages for a subscriber that falls
                        // behind (HiveMQ CE's queue) and discards the rest, so above that a count falls short by the
                        // subscriber's pace, whatever mosquitto_pub sent. BenchmarkSuiteIT requires every one below it.
                        System.out.printf("   mosquitto_pub: %,d of %,d at the observer's subscriber (%,d other payloads; it %s)%n",
                                delivery.delivered(), mqttMessages, delivery.foreign(), delivery.exited() ? "exited" : "was stopped");
                    }
                }
                delivered = Math.min(delivered, delivery.delivered());
                List<String> sdk = sdkProcess(local, readings);
                t0 = System.nanoTime();
                JsonNode sdkSummary = summary(sdk, mqttMessages, work);
                double sdkSeconds = (System.nanoTime() - t0) / 1e9;
                if (rep > 0) {
                    sdkWhole.add(mqttMessages / sdkSeconds);
                    sdkIn.add(sdkSummary.path("ratePerSecond").asDouble());
                    reuse.add(r);
                    fresh.add(f);
                    cliWhole.add(mqttMessages / cliSeconds);
                    cliIn.add(s.path("ratePerSecond").asDouble());
                    mosq.add(mqttMessages / mosqSeconds);
                    if (delivery.last() != null) {
                        lastDelivery.add(Duration.between(mosquittoExited, delivery.last()).toNanos() / 1e6);
                    }
                }
                if (commands.isEmpty()) {
                    for (List<String> c : List.of(https, httpsFresh, mqtt, subscriber, mosquitto, sdk)) {
                        // Shown with the temporary directories named, so the lines read (and run) anywhere.
                        commands.add(c.stream().map(a -> a.contains(" ") ? "'" + a + "'" : a)
                                .collect(java.util.stream.Collectors.joining(" ")).replace(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "java")
                                .replace(local.state().toString(), "$STATE").replace(work.toString(), "$WORK")
                                .replace(root.toAbsolutePath() + "/", "")
                                .replace(sdkClassPath(), "$SDK_CLASSPATH")
                                + (c == subscriber ? " &" : "")
                                + (c == mosquitto ? " < $WORK/" + mosquittoReadings.getFileName() : ""));
                    }
                }
            }
            return new Result(Spread.of(reuse), Spread.of(fresh), Spread.of(cliWhole), Spread.of(cliIn), Spread.of(mosq),
                    Spread.of(sdkWhole), Spread.of(sdkIn), steady, httpsMessages, mqttMessages, steadyMessages, delivered,
                    Spread.of(lastDelivery), commands);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Readings as {@code edgewire-device simulate} makes them (its generator and seed), one timestamp for all. */
    static List<byte[]> readings(int count) {
        return readings(count, READINGS_TS);
    }

    /** As {@link #readings(int)}, all with the timestamp {@code ts}. */
    static List<byte[]> readings(int count, Instant ts) {
        ReadingGenerator generator = new ReadingGenerator(42);
        ReadingWriter json = new ReadingWriter();
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(json.write(generator.reading(THING, i, ts)));
        }
        return out;
    }

    /**
     * The warm, in-process comparison: each client connects to the broker as {@link #THING} with its
     * certificate and publishes {@code count} readings at QoS 1, MQTT 5, at most {@link #MAX_IN_FLIGHT}
     * unacknowledged; the rate is PUBACKs a second from the first publish to the last PUBACK. One
     * unrecorded round of every client first warms the JIT, the broker and the page cache; then the
     * clients take turns, {@code reps} rounds.
     */
    static List<Steady> steady(LocalModeProcess local, Path work, int count, int reps) throws Exception {
        Target target = new Target("localhost", local.mqttPort(), 0, THING, null, local.caFile(),
                local.certificateFile(THING), local.privateKeyFile(THING), null, null);
        TlsMaterial tls = TlsMaterial.forTarget(target);
        String topic = target.telemetryTopic(THING);
        List<byte[]> payloads = readings(count);
        List<String> clients = List.of(OURS_OUTBOX, OURS_NO_OUTBOX, SDK);
        List<List<double[]>> samples = new ArrayList<>();
        clients.forEach(c -> samples.add(new ArrayList<>()));
        for (int rep = 0; rep <= reps; rep++) {
            for (int c = 0; c < clients.size(); c++) {
                awaitQuiet(local);
                long cpu0 = processCpuNanos();
                long broker0 = local.cpuMillis() + local.descendantsCpuMillis();
                double rate = switch (clients.get(c)) {
                    case OURS_OUTBOX -> withOutbox(target, tls, work.resolve("steady-" + rep + ".db"), count);
                    case OURS_NO_OUTBOX -> withoutOutbox(target, tls, topic, payloads);
                    default -> sdk(local, topic, payloads, false);
                };
                double clientMicros = (processCpuNanos() - cpu0) / 1e3 / count;
                // Local mode's share runs on after the last PUBACK (rules, queue, fan-out): counted until it is done.
                awaitQuiet(local);
                double brokerMicros = (local.cpuMillis() + local.descendantsCpuMillis() - broker0) * 1e3 / count;
                if (rep > 0) {
                    samples.get(c).add(new double[] {rate, clientMicros, brokerMicros});
                }
            }
        }
        // The SDK as its builder sets it up by default, paced for AWS IoT Core: a few seconds' worth shows the cap.
        List<byte[]> few = payloads.subList(0, Math.min(payloads.size(), SDK_PACED_MESSAGES));
        awaitQuiet(local);
        double paced = sdk(local, topic, few, true);
        List<Steady> out = new ArrayList<>();
        out.add(new Steady(SDK_PACED, Spread.of(List.of(paced)), Spread.of(List.of()), Spread.of(List.of())));
        for (int c = 0; c < clients.size(); c++) {
            List<double[]> s = samples.get(c);
            out.add(new Steady(clients.get(c), Spread.of(s.stream().map(x -> x[0]).toList()),
                    Spread.of(s.stream().map(x -> x[1]).toList()), Spread.of(s.stream().map(x -> x[2]).toList())));
        }
        return out;
    }

    /**
     * The device client as {@code simulate} runs it: every reading generated and committed to the
     * SQLite outbox before it is sent, removed once acknowledged. The connection is made before the
     * clock starts, as for the other clients.
     */
    private static double withOutbox(Target target, TlsMaterial tls, Path file, int count) {
        MqttTransport transport = new MqttTransport(target, THING, tls, MqttSettings.defaults(), Backoff.standard(), System.err);
        transport.connect();
        Transport connected = new Transport() {
            @Override
            public void connect() {
            }

            @Override
            public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
                return transport.publish(topic, payload, qos);
            }

            @Override
            public String protocol() {
                return transport.protocol();
            }

            @Override
            public void close() {
                transport.close();
            }
        };
        SimulationPlan plan = new SimulationPlan(List.of(THING), 1_000_000, count, null, 1, null, new ReadingGenerator(42),
                MAX_IN_FLIGHT, Duration.ofMinutes(10));
        try (Outbox outbox = Outbox.open(file, Math.max(100_000, count), Outbox.Durability.PROCESS_CRASH,
                target.endpoint() + ":" + target.mqttPort())) {
            Summary summary = new Simulation(plan, id -> connected, outbox, Clock.systemUTC(), null, System.err).run();
            if (summary.acked() != count) {
                throw new IllegalStateException("device client with outbox: acked " + summary.acked() + " of " + count);
            }
            return summary.ratePerSecond();
        }
    }

    /** The device client's MQTT transport alone, fed the same readings, with the same bound in flight. */
    private static double withoutOutbox(Target target, TlsMaterial tls, String topic, List<byte[]> payloads)
            throws InterruptedException {
        try (MqttTransport transport = new MqttTransport(target, THING, tls, MqttSettings.defaults(), Backoff.standard(),
                System.err)) {
            transport.connect();
            Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
            AtomicLong acked = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long t0 = System.nanoTime();
            for (byte[] payload : payloads) {
                inFlight.acquire();
                transport.publish(topic, payload, 1).whenComplete((ok, error) -> {
                    if (error == null) {
                        acked.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, error);
                    }
                    inFlight.release();
                });
            }
            inFlight.acquire(MAX_IN_FLIGHT);
            long nanos = System.nanoTime() - t0;
            if (failure.get() != null || acked.get() != payloads.size()) {
                throw new IllegalStateException("device client without outbox: acked " + acked + " of " + payloads.size(),
                        failure.get());
            }
            return acked.get() / (nanos / 1e9);
        }
    }

    private static double sdk(LocalModeProcess local, String topic, List<byte[]> payloads, boolean iotCoreLimits)
            throws Exception {
        try (SdkDevice device = SdkDevice.connect("localhost", local.mqttPort(), local.caFile(), local.certificateFile(THING),
                local.privateKeyFile(THING), THING, iotCoreLimits)) {
            SdkDevice.Run run = device.publishAll(topic, payloads, MAX_IN_FLIGHT);
            if (run.acked() != payloads.size()) {
                throw new IllegalStateException("SDK client: acked " + run.acked() + " of " + payloads.size());
            }
            return run.ratePerSecond();
        }
    }

    /**
     * Waits until local mode has worked off the readings of the previous run (its rules, queue and
     * fan-out run behind the broker's PUBACK), so that no client is measured against another's
     * backlog: until local mode and its store use under a tenth of a core for a second, at most 3 minutes.
     */
    static void awaitQuiet(LocalModeProcess local) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        int quiet = 0;
        long before = local.cpuMillis() + local.descendantsCpuMillis();
        while (quiet < 4 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = local.cpuMillis() + local.descendantsCpuMillis();
            quiet = now - before <= 25 ? quiet + 1 : 0;
            before = now;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * {@link SdkDevice#main} in a JVM of its own, started with the device client launcher's JVM options
     * ({@code device-client/bin/edgewire-device}) on a class path of the SDK's two jars and this module's
     * classes, so that it loads no more than it needs, as the CLI's jar does.
     */
    private static List<String> sdkProcess(LocalModeProcess local, Path readings) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", sdkClassPath(), SdkDevice.class.getName(), "localhost",
                Integer.toString(local.mqttPort()), local.caFile().toString(), local.certificateFile(THING).toString(),
                local.privateKeyFile(THING).toString(), THING, "devices/" + THING + "/telemetry", readings.toString(),
                Integer.toString(MAX_IN_FLIGHT)));
        if (Runtime.version().feature() < 23) {
            command.remove("--sun-misc-unsafe-memory-access=allow");
        }
        return command;
    }

    private static String sdkClassPath() {
        return String.join(java.io.File.pathSeparator, List.of(codeSource(SdkDevice.class),
                codeSource(software.amazon.awssdk.iot.AwsIotMqtt5ClientBuilder.class),
                codeSource(software.amazon.awssdk.crt.mqtt5.Mqtt5Client.class)));
    }

    private static String codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CLI as users start it: its launcher, with its JVM options, on this JVM's Java (JAVA_HOME, see exec). */
    private static List<String> simulate(Path root, LocalModeProcess local, Path work, int count, String... extra) throws IOException {
        Path outbox = Files.createTempFile(work, "outbox", ".db");
        Files.delete(outbox);
        List<String> command = new ArrayList<>(List.of(root.resolve("device-client/bin/edgewire-device").toString(), "simulate", "--outputs", local.outputsFile().toString(),
                "--thing", THING, "--count", Integer.toString(count), "--rate", "1000000", "--drain-timeout", "600s",
                "--outbox", outbox.toString(), "--json"));
        command.addAll(List.of(extra));
        return command;
    }

    /** Runs the CLI and checks that every reading was acknowledged. */
    private static JsonNode summary(List<String> command, int count, Path work) throws Exception {
        String out = exec(command, null, work);
        String json = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("no JSON summary from " + command + ":\n" + out));
        JsonNode summary = JSON.readTree(json);
        if (summary.path("acked").asLong() != count) {
            throw new IllegalStateException("acked " + summary.path("acked") + " of " + count + ": " + json);
        }
        return summary;
    }

    private static String exec(List<String> command, Path stdin, Path work) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " failed (exit " + p.exitValue() + "):\n" + out);
        }
        return out;
    }

    static void report(Report report, Result r, int reps) {
        double https = r.httpsReuse().median() / r.httpsFresh().median();
        double mqttWhole = r.cliWhole().median() / r.mosquitto().median();
        double mqttIn = r.cliInProcess().median() / r.mosquitto().median();
        report.headline(new Report.Headline("HTTPS publish, reused connection vs one TLS connection per message",
                Spread.num(r.httpsReuse().median(), 0) + " msg/s", Spread.num(r.httpsFresh().median(), 0) + " msg/s",
                "%.2fx".formatted(https), ">= 5x", https >= 5));
        report.headline(new Report.Headline("Device client QoS 1 vs mosquitto_pub (whole process)",
                Spread.num(r.cliWhole().median(), 0) + " msg/s", Spread.num(r.mosquitto().median(), 0) + " msg/s",
                "%.2fx".formatted(mqttWhole), ">= 0.8x", mqttWhole >= 0.8));
        Steady on = r.steady(OURS_OUTBOX);
        Steady off = r.steady(OURS_NO_OUTBOX);
        Steady sdk = r.steady(SDK);
        double vsSdk = on.rate().median() / sdk.rate().median();
        report.headline(new Report.Headline("Device client QoS 1 (outbox on) vs AWS IoT Device SDK v2 Mqtt5Client, warm, acked",
                Spread.num(on.rate().median(), 0) + " msg/s", Spread.num(sdk.rate().median(), 0) + " msg/s",
                "%.2fx".formatted(vsSdk), ">= 1.5x", vsSdk >= 1.5));
        double sdkWhole = r.cliWhole().median() / r.sdkWhole().median();
        report.headline(new Report.Headline("Device client QoS 1 vs AWS IoT Device SDK v2 (whole process)",
                Spread.num(r.cliWhole().median(), 0) + " msg/s", Spread.num(r.sdkWhole().median(), 0) + " msg/s",
                "%.2fx".formatted(sdkWhole), "—", null));
        StringBuilder steadyRows = new StringBuilder();
        for (Steady st : r.steady()) {
            if (st.client().equals(SDK_PACED)) {
                continue;
            }
            steadyRows.append("| %s | %s | %.2fx | %s | %s |\n".formatted(st.client(), st.rate().format(0),
                    st.rate().median() / sdk.rate().median(), st.clientCpuMicros().format(1), st.brokerCpuMicros().format(1)));
        }
        StringBuilder md = new StringBuilder("""
                ## 3. HTTPS publish: connection reuse against one TLS connection per message

                `edgewire-device simulate --protocol https` sends readings to local mode's HTTPS endpoint (mutual TLS,
                `POST /topics/...?qos=1`): %,d over kept-alive connections, and %,d with `--new-connection-per-message`
                (a full TLS handshake with the client certificate for each reading), so that each run lasts some
                seconds and the reused path is not measured on cold code alone. Rate: the CLI's own acked
                messages per second (both runs pay the same JVM start, so it is left out of both).

                | path | msg/s |
                |---|---|
                | reused connection | %s |
                | one TLS connection per message | %s |
                | **ratio** | **%.2fx** (goal >= 5x: %s) |

                Per message: %.1f ms over a reused connection, %.1f ms with a new one, so a handshake adds %.1f ms here.
                The ratio can only reach 5x when a handshake costs four times what the rest of a message costs
                (publishing it to the broker and the topic rules, the HTTP exchange, the CLI's outbox).

                ## 4. Device client QoS 1 publish rate against mosquitto_pub

                %,d readings of the same shape, QoS 1, to local mode's broker (MQTT over TLS, client certificate of
                `%s`), from `edgewire-device simulate` (its launcher `device-client/bin/edgewire-device`, default `--max-in-flight 100`) and from `mosquitto_pub -l -q 1`
                (one reading per line on standard input; Mosquitto's default of 20 messages in flight). Both are timed
                as whole processes from start to exit, which is what a user waits for; the CLI's JVM start is in its
                figure. The CLI's own rate (from its first connect to the last PUBACK) is shown too.

                | client | msg/s |
                |---|---|
                | `mosquitto_pub -l` (whole process; delivered %,d of %,d) | %s |
                | `edgewire-device simulate` (whole process) | %s |
                | `edgewire-device simulate` (its own rate, JVM start excluded) | %s |
                | **ratio, whole process** | **%.2fx** (goal >= 0.8x: %s) |
                | ratio, CLI's own rate | %.2fx |
                | AWS IoT Device SDK v2 `Mqtt5Client` (whole process, `SdkDevice`) | %s |
                | AWS IoT Device SDK v2 (its own rate, JVM start excluded) | %s |
                | ratio, CLI against the SDK, whole process | %.2fx |

                What the time goes to: `mosquitto_pub` sends all %,d in %.2f s. The CLI spends %.2f s of its run
                before its first connect (JVM start, class loading, TLS set-up), then commits every reading to its
                SQLite outbox before sending it, and its TLS and MQTT stack (Netty, the HiveMQ client, BoringSSL where
                available) costs several times the CPU per message of `mosquitto_pub`'s C client, on 2 cores shared
                with the broker.

                `mosquitto_pub` reports no acknowledgements, so its readings are counted where they arrive: during each of
                its runs, `mosquitto_sub` connected as local mode's observer (`%s`, the identity that may subscribe to
                every device's telemetry and commands and publish nothing; on AWS, the console's MQTT test client),
                subscribed at QoS 1 to `%s` before `mosquitto_pub` starts, and counted the run's distinct readings
                (each run's readings carry a timestamp of their own): delivered %,d of %,d, at the fewest, in every
                run. The broker keeps at most 1,000 QoS 1 messages for a subscriber that falls behind and discards the
                rest (HiveMQ CE's queue; IoT Core itself allows a connection 100 publishes a second), so when
                `mosquitto_pub` sends faster than `mosquitto_sub` reads, the count is the subscriber's, not a loss of
                `mosquitto_pub`'s; `BenchmarkSuiteIT` requires every reading at a scale under that queue. The last
                reading reached the subscriber %s ms after `mosquitto_pub` exited (negative: before); that wait is not in
                `mosquitto_pub`'s rate.

                ### Against the AWS IoT Device SDK for Java v2

                A Java developer's other choice is the AWS IoT Device SDK for Java v2 (`aws-iot-device-sdk` 1.30.1, its
                MQTT 5 client `Mqtt5Client` on the AWS Common Runtime: TLS and the event loop in native code), built as its
                `Mqtt5X509` sample builds it (`AwsIotMqtt5ClientBuilder.newDirectMqttBuilderWithMtlsFromPath`, the same
                CA, certificate and key). Warm and in process (this JVM; local mode's broker in its own): each client
                connects as `%s`, then publishes the same %,d readings (the CLI's generator and seed), QoS 1, MQTT 5,
                at most %d unacknowledged, and the rate is PUBACKs a second from the first publish to the last PUBACK. With
                the outbox on, it is the CLI's own `Simulation`, storing every reading in the SQLite outbox before sending
                it and removing it once acknowledged; with it off, the device client's `MqttTransport` alone. One
                unrecorded round of each warms up first; then they take turns, each once local mode has worked off the
                readings before it (its rules and fan-out run behind the PUBACK). CPU is per acknowledged message, from the
                JVMs' process CPU time (the client: this JVM, idle but for it, during the run; local mode: its JVM and its
                store, from `/proc`, from the first publish until it has worked off the run's readings, so the broker, rules
                and fan-out of the same readings).

                | client | acked msg/s | vs SDK | client CPU µs/msg | local mode CPU µs/msg |
                |---|---|---|---|---|
                %s
                **Outbox on against the SDK: %.2fx** (goal >= 1.5x: %s). %s

                The SDK's builder turns on its AWS IoT Core flow control by default (at most 100 publishes a second per
                connection, IoT Core's limit); the device client paces itself to that limit only toward `*.amazonaws.com`.
                Both run unpaced above. Left as the builder makes it, the SDK acked %s msg/s (%d readings, once).

                Medians of %d repetitions (after one warm-up round in the full run), (min–max) in brackets. Every reading of
                the Java clients had to be acked or the run fails (`mosquitto_pub`'s are counted at the subscriber, above). Commands (`$STATE` is local mode's fresh state directory, `$WORK` a temporary one):

                ```
                %s
                ```
                """.formatted(REUSE_FACTOR * r.httpsMessages(), r.httpsMessages(), r.httpsReuse().format(0), r.httpsFresh().format(0), https,
                https >= 5 ? "met" : "not met", 1000 / r.httpsReuse().median(), 1000 / r.httpsFresh().median(),
                1000 / r.httpsFresh().median() - 1000 / r.httpsReuse().median(), r.mqttMessages(), THING,
                r.mosquittoDelivered(), r.mqttMessages(), r.mosquitto().format(0), r.cliWhole().format(0),
                r.cliInProcess().format(0), mqttWhole, mqttWhole >= 0.8 ? "met" : "not met", mqttIn,
                r.sdkWhole().format(0), r.sdkInProcess().format(0), sdkWhole,
                r.mqttMessages(), r.mqttMessages() / r.mosquitto().median(),
                r.mqttMessages() / r.cliWhole().median() - r.mqttMessages() / r.cliInProcess().median(),
                ObserverPolicy.CLIENT_ID, Topology.Topics.TELEMETRY_FILTER, r.mosquittoDelivered(), r.mqttMessages(),
                r.mosquittoLastDeliveryMillis().format(1),
                THING, r.steadyMessages(), MAX_IN_FLIGHT, steadyRows, vsSdk, vsSdk >= 1.5 ? "met" : "not met",
                whereTheTimeGoes(on, off, sdk), Spread.num(r.steady(SDK_PACED).rate().median(), 0), SDK_PACED_MESSAGES, reps,
                String.join("\n", r.commands())));
        report.section(md.toString());
    }

    /** Where the outbox-on client's time goes against the SDK's, from the CPU figures of the same run. */
    static String whereTheTimeGoes(Steady on, Steady off, Steady sdk) {
        double outboxCpu = on.clientCpuMicros().median() - off.clientCpuMicros().median();
        return ("Per message the device client spends %.1f µs of CPU with the outbox and %.1f µs without it (the outbox: "
                + "%.1f µs), the SDK %.1f µs; local mode spends %.1f, %.1f and %.1f µs on the same readings. Both share "
                + "the machine's cores, so the client's CPU is taken from the broker's.").formatted(on.clientCpuMicros().median(), off.clientCpuMicros().median(),
                outboxCpu, sdk.clientCpuMicros().median(), on.brokerCpuMicros().median(), off.brokerCpuMicros().median(),
                sdk.brokerCpuMicros().median());
    }
}
