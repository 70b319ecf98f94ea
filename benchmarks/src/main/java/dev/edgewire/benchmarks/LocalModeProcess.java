package dev.edgewire.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Tokens;
import dev.edgewire.contract.Topology;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalMode;
import dev.edgewire.standins.mqtt.MqttTestClients;
import dev.edgewire.standins.pki.LocalPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Local mode in a child JVM, started as {@code local/bin/edgewire-local} starts it (same main class,
 * same flags, free ports): for the benchmarks, so its memory and CPU can be read from {@code /proc}
 * apart from the load generator's, and for the fault scenarios that kill it and start it again on
 * the same state.
 */
public final class LocalModeProcess implements AutoCloseable {

    private static final long START_TIMEOUT_SECONDS = 90;

    private final Process process;
    private final Path state;
    private final boolean ownsState;
    private final Path log;
    private final Map<String, String> outputs;
    private final long readyMillis;
    private final List<String> kept;
    private SqsClient sqs;

    private LocalModeProcess(Process process, Path state, boolean ownsState, Path log, Map<String, String> outputs,
                             long readyMillis, List<String> kept) {
        this.process = process;
        this.state = state;
        this.ownsState = ownsState;
        this.log = log;
        this.outputs = outputs;
        this.readyMillis = readyMillis;
        this.kept = kept;
    }

    /**
     * Connections one token subject may hold in the benchmarks' local modes: the watchers, who stand for as many
     * people, all connect with local mode's one token, so the cap of {@code Topology.ConnectionsPerSubject} (10)
     * is raised above any audience the suites open.
     */
    public static final int CONNECTIONS_PER_SUBJECT = 1_000_000;

    /** The exact command line, for the report; the run command's JVM flags, free ports. */
    public static List<String> command(Path state, List<String> things) {
        return command(state, things, List.of());
    }

    /** The command line with local mode's {@code flags} after the usual ones. */
    public static List<String> command(Path state, List<String> things, List<String> flags) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), LocalMode.class.getName(), "--state-dir", state.toString(),
                "--mqtt-port", "0", "--https-port", "0", "--ws-port", "0", "--thing=" + String.join(",", things),
                "--connections-per-subject", Integer.toString(CONNECTIONS_PER_SUBJECT)));
        if (Runtime.version().feature() < 23) {
            command.remove("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(flags);
        return command;
    }

    /** On a fresh state folder, deleted with it; run from the checkout {@code root}. */
    static LocalModeProcess start(Path root, List<String> things) throws Exception {
        return start(root, things, List.of());
    }

    /** As {@link #start(Path, List)}, keeping the lines it prints once ready that contain any of {@code markers}. */
    static LocalModeProcess start(Path root, List<String> things, List<String> markers) throws Exception {
        return launch(root, Files.createTempDirectory("edgewire-bench-local"), true, null, things, List.of(), markers);
    }

    /**
     * On {@code state}, which outlives it, so local mode can start again on the same certificates,
     * token key and store; what it prints is appended to {@code log}.
     */
    public static LocalModeProcess restartable(Path state, Path log, List<String> things) throws Exception {
        return restartable(state, log, things, List.of());
    }

    /** As {@link #restartable(Path, Path, List)}, with local mode's {@code flags} (for example {@code --no-readings-mapping}). */
    public static LocalModeProcess restartable(Path state, Path log, List<String> things, List<String> flags)
            throws Exception {
        Files.createDirectories(log.getParent());
        return launch(null, state.toAbsolutePath(), false, log, things, flags, List.of());
    }

    private static LocalModeProcess launch(Path workDir, Path state, boolean ownsState, Path log, List<String> things,
                                           List<String> flags, List<String> markers) throws Exception {
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command(state, things, flags)).redirectErrorStream(true);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Process process = builder.start();
        Writer logFile = log == null ? null : Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        List<String> early = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        Thread.ofPlatform().daemon().name("local-mode-output-" + process.pid()).start(() -> {
            try (out) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (logFile != null) {
                        logFile.write(line);
                        logFile.write('\n');
                        logFile.flush();
                    }
                    if (!ready.isDone()) {
                        early.add(line);
                        if (line.contains("local mode is ready")) {
                            ready.complete(true);
                        }
                    } else if (markers.stream().anyMatch(line::contains)) {
                        synchronized (kept) {
                            kept.add(line.trim());
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            } finally {
                ready.complete(false);
                if (logFile != null) {
                    try {
                        logFile.close();
                    } catch (IOException ignored) {
                        // nothing more to keep
                    }
                }
            }
        });
        boolean ok;
        try {
            ok = ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            stopWhatRunsOn(state);
            throw new IllegalStateException("local mode did not start" + (log == null ? "" : "; see " + log) + ":\n"
                    + String.join("\n", early));
        }
        long readyMillis = (System.nanoTime() - started) / 1_000_000;
        Map<String, String> outputs = new LinkedHashMap<>();
        new ObjectMapper().readTree(state.resolve("outputs.json").toFile()).elements().next().fields()
                .forEachRemaining(e -> outputs.put(e.getKey(), e.getValue().asText()));
        return new LocalModeProcess(process, state, ownsState, log, outputs, readyMillis, kept);
    }

    /** From the start of the JVM to local mode's "ready" line. */
    public long readyMillis() {
        return readyMillis;
    }

    public Map<String, String> outputs() {
        return outputs;
    }

    String output(String key) {
        return outputs.get(key);
    }

    public Path outputsFile() {
        return state.resolve("outputs.json");
    }

    Path state() {
        return state;
    }

    int mqttPort() {
        return Integer.parseInt(output(Outputs.MQTT_PORT));
    }

    URI callbackUrl() {
        return URI.create(output(Outputs.CALLBACK_URL));
    }

    URI dynamoDbEndpoint() {
        return URI.create(output(Outputs.DYNAMODB_ENDPOINT));
    }

    /** The stage URL with a valid token. */
    public URI stage() {
        String callback = output(Outputs.CALLBACK_URL);
        return URI.create(output(Outputs.WEB_SOCKET_URL) + callback.substring(callback.lastIndexOf('/'))
                + "?token=" + output(Outputs.TOKEN));
    }

    /**
     * The stage URL with a watch-only token of its own for {@code subject}, minted with local mode's key as a
     * user of a deployed stack would mint one with the secret: the benchmarks' watchers each stand for a
     * person, so each connects with its own token and holds one of its own subject's places, as on AWS.
     */
    URI stage(String subject) {
        try {
            byte[] key = Files.readString(state.resolve(LocalCloud.TOKEN_KEY_FILE)).strip().getBytes(StandardCharsets.UTF_8);
            String token = Tokens.mint(key, subject, Tokens.Grant.NONE, Duration.ofHours(2), Clock.systemUTC());
            String callback = output(Outputs.CALLBACK_URL);
            return URI.create(output(Outputs.WEB_SOCKET_URL) + callback.substring(callback.lastIndexOf('/')) + "?token=" + token);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    LocalPki pki() throws Exception {
        return LocalPki.openOrCreate(state.resolve("certs"));
    }

    /** One connected MQTT 5 client per thing, with its own certificate, as the devices would be. */
    List<Mqtt5AsyncClient> connectDevices(List<String> things) throws Exception {
        LocalPki pki = pki();
        List<Mqtt5AsyncClient> devices = new ArrayList<>();
        for (String thing : things) {
            Mqtt5AsyncClient c = MqttTestClients.client(mqttPort(), thing, pki, pki.thing(thing)).toAsync();
            c.connect().get(20, TimeUnit.SECONDS);
            devices.add(c);
        }
        return devices;
    }

    Path certificateFile(String thing) {
        return state.resolve("certs").resolve("things").resolve(thing).resolve("certificate.pem");
    }

    Path privateKeyFile(String thing) {
        return state.resolve("certs").resolve("things").resolve(thing).resolve("private.key");
    }

    /** The observer's client id: it may subscribe to every device's telemetry and commands, and publish nothing. */
    String observerClientId() {
        return output(Outputs.OBSERVER_CLIENT_ID);
    }

    Path observerCertificateFile() {
        return Path.of(output(Outputs.OBSERVER_CERTIFICATE_FILE));
    }

    Path observerPrivateKeyFile() {
        return Path.of(output(Outputs.OBSERVER_PRIVATE_KEY_FILE));
    }

    Path caFile() {
        return Path.of(output(Outputs.CA_CERTIFICATE_FILE));
    }

    /** The lines kept by the markers given to {@link #start(Path, List, List)}, so far. */
    List<String> kept() {
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }

    /** An SQS client of local mode's queues (its SQS endpoint, its credentials), kept until {@link #close()}. */
    synchronized SqsClient sqs() {
        if (sqs == null) {
            sqs = SqsClient.builder().region(Region.US_EAST_1)
                    .endpointOverride(URI.create(output(Outputs.SQS_ENDPOINT)))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                            LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey())))
                    .httpClient(UrlConnectionHttpClient.create()).build();
        }
        return sqs;
    }

    /**
     * Messages in a queue of local mode, visible and in flight, read through its SQS API as one would read a
     * deployed queue's depth. For the failed-deliveries queue this is the total of readings the topic rules
     * could not send to the readings queue since start: its error action keeps each one there.
     */
    long queueDepth(String queueUrlOutput) {
        Map<QueueAttributeName, String> a = sqs().getQueueAttributes(b -> b.queueUrl(output(queueUrlOutput)).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
                + Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
    }

    /** Everything in the log so far, earlier runs on the same state included. */
    public String logText() throws IOException {
        if (log == null) {
            throw new IllegalStateException("this local mode keeps no log file");
        }
        return Files.readString(log);
    }

    /** Connections' rows in the connection table of this run's store (not the token subjects' places rows). */
    public int rows() {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1)
                .endpointOverride(dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            int count = 0;
            for (var page : dynamo.scanPaginator(b -> b.tableName(LocalCloud.TABLE_NAME).select(Select.COUNT)
                    .filterExpression("NOT begins_with(#key, :places)")
                    .expressionAttributeNames(Map.of("#key", Topology.ConnectionTable.PARTITION_KEY))
                    .expressionAttributeValues(Map.of(":places",
                            AttributeValue.fromS(Topology.ConnectionTable.PLACES_KEY_PREFIX)))
                    .consistentRead(true))) {
                count += page.count();
            }
            return count;
        }
    }

    long rssMb() throws IOException {
        return Proc.rssMb(process.pid());
    }

    long cpuMillis() throws IOException {
        return Proc.cpuMillis(process.pid());
    }

    /** CPU of the processes local mode started (its store, dynalite), which {@link #cpuMillis()} leaves out. */
    long descendantsCpuMillis() {
        return process.descendants().mapToLong(p -> {
            try {
                return Proc.cpuMillis(p.pid());
            } catch (IOException | RuntimeException gone) {
                return 0;
            }
        }).sum();
    }

    long pid() {
        return process.pid();
    }

    /**
     * SIGKILL: no shutdown hook, no close frames, no {@code $disconnect}; the store it started keeps
     * running until {@link #close()} or the next start on the same state. Returns the exit status.
     */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
        return process.exitValue();
    }

    /**
     * SIGKILL to local mode and to every process it started (its store), as when the machine's session or
     * container dies: nothing of local mode runs its shutdown, and no process of it is left. The children
     * are listed before the JVM dies (after, they belong to no one). {@link Process#destroyForcibly()} and
     * {@link ProcessHandle#destroyForcibly()} send SIGKILL on Linux.
     *
     * @return the JVM's exit status and what was killed with it
     */
    public Killed killWithChildren() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        List<String> names = children.stream().map(c -> c.pid() + " " + c.info().command().map(cmd ->
                Path.of(cmd).getFileName().toString()).orElse("?")).toList();
        process.destroyForcibly();
        long signalled = System.nanoTime();
        children.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(20, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (children.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return new Killed(process.exitValue(), names, children.stream().noneMatch(ProcessHandle::isAlive), signalled);
    }

    /**
     * What {@link #killWithChildren()} did.
     *
     * @param exitStatus   the JVM's (128 + 9 after SIGKILL)
     * @param children     the processes local mode had started, as "pid command"
     * @param childrenDead whether all of them are gone
     * @param signalledAt  {@link System#nanoTime()} when the JVM got its SIGKILL
     */
    public record Killed(int exitStatus, List<String> children, boolean childrenDead, long signalledAt) {
    }

    /**
     * SIGTERM, as Ctrl-C: local mode closes its connections, runs {@code $disconnect} for each and stops
     * its store. Whatever still runs on this state afterwards is stopped too, and a fresh state folder
     * is deleted.
     */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (sqs != null) {
                sqs.close();
                sqs = null;
            }
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        stopWhatRunsOn(state);
        if (ownsState) {
            try (Stream<Path> files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * Local mode starts its store in a session of its own: if local mode was killed, or had to be (its
     * orderly shutdown runs {@code $disconnect} for every connection, which can outlast the wait), the
     * store would outlive it.
     */
    private static void stopWhatRunsOn(Path state) {
        String dir = state.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false))
                .forEach(ProcessHandle::destroy);
    }

    /** Memory and CPU of a process from {@code /proc}. */
    static final class Proc {

        private Proc() {
        }

        static long rssMb(long pid) throws IOException {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("\\D+", "")) / 1024;
                }
            }
            return -1;
        }

        /** User plus system CPU time; {@code /proc/PID/stat} counts in USER_HZ, 100 a second on Linux. */
        static long cpuMillis(long pid) throws IOException {
            String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "stat")).split("\\) ")[1].split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        }
    }
}
