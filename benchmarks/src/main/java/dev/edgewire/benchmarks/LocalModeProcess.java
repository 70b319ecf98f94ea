package dev.edgewire.benchmarks;

import dev.edgewire.contract.Outputs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.edgewire.local.LocalMode;
import dev.edgewire.standins.mqtt.MqttTestClients;
import dev.edgewire.standins.pki.LocalPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Local mode in a child JVM, started with the flags of {@code local/bin/edgewire-local} on free
 * ports and a fresh state directory, so its memory and CPU can be read from {@code /proc} apart
 * from the load generator's.
 */
public final class LocalModeProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path state;
    private final JsonNode outputs;
    private final long readyMillis;
    private final AtomicLong droppedLines = new AtomicLong();
    private final List<String> dropLog = new ArrayList<>();

    private LocalModeProcess(Process process, Path state, JsonNode outputs, long readyMillis) {
        this.process = process;
        this.state = state;
        this.outputs = outputs;
        this.readyMillis = readyMillis;
    }

    /** The exact command line, for the report; the run command's JVM flags, free ports. */
    public static List<String> command(Path state, List<String> things) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), LocalMode.class.getName(), "--state-dir", state.toString(),
                "--mqtt-port", "0", "--https-port", "0", "--ws-port", "0", "--thing=" + String.join(",", things)));
        if (Runtime.version().feature() < 23) {
            command.remove("--sun-misc-unsafe-memory-access=allow");
        }
        return command;
    }

    static LocalModeProcess start(Path root, List<String> things) throws Exception {
        Path state = Files.createTempDirectory("edgewire-bench-local");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command(state, things)).directory(root.toFile()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        List<String> early = new ArrayList<>();
        LocalModeProcess[] self = new LocalModeProcess[1];
        Thread reader = Thread.ofPlatform().daemon().name("local-mode-output").start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (!ready.isDone()) {
                        early.add(line);
                        if (line.contains("local mode is ready")) {
                            ready.complete(true);
                        }
                    } else if (line.contains("dropped") && self[0] != null) {
                        synchronized (self[0].dropLog) {
                            self[0].dropLog.add(line.trim());
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
            ready.complete(false);
        });
        boolean ok;
        try {
            ok = ready.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            process.destroyForcibly();
            throw new IllegalStateException("local mode did not start:\n" + String.join("\n", early));
        }
        long readyMillis = (System.nanoTime() - started) / 1_000_000;
        JsonNode outputs = JSON.readTree(state.resolve("outputs.json").toFile()).get("edgewire-local");
        LocalModeProcess p = new LocalModeProcess(process, state, outputs, readyMillis);
        self[0] = p;
        reader.setName("local-mode-output-" + process.pid());
        return p;
    }

    long readyMillis() {
        return readyMillis;
    }

    String output(String key) {
        return outputs.get(key).asText();
    }

    Path outputsFile() {
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
    URI stage() {
        return URI.create(output(Outputs.WEB_SOCKET_URL) + "/demo?token=" + output(Outputs.TOKEN));
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

    Path caFile() {
        return Path.of(output(Outputs.CA_CERTIFICATE_FILE));
    }

    List<String> dropLog() {
        synchronized (dropLog) {
            return List.copyOf(dropLog);
        }
    }

    long rssMb() throws IOException {
        return Proc.rssMb(process.pid());
    }

    long cpuMillis() throws IOException {
        return Proc.cpuMillis(process.pid());
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // Local mode starts its store in a session of its own; if local mode had to be killed (its orderly
        // shutdown runs $disconnect for every connection, which can outlast the wait), stop the store too.
        String dir = state.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false))
                .forEach(ProcessHandle::destroy);
        try (Stream<Path> files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
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
