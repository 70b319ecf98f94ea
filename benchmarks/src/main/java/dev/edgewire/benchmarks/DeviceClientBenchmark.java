package dev.edgewire.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmarks 3 and 4, through the device client's CLI ({@code edgewire-device simulate}) against
 * local mode's broker and HTTPS endpoint in a child JVM: HTTPS publishing over one kept-alive
 * connection against a new TLS connection per message (3), and the QoS 1 MQTT publish rate against
 * {@code mosquitto_pub -l} on the same broker with the same certificate (4).
 */
final class DeviceClientBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String THING = "thing-1";

    record Result(Spread httpsReuse, Spread httpsFresh, Spread cliWhole, Spread cliInProcess, Spread mosquitto,
                  int httpsMessages, int mqttMessages, List<String> commands) {
    }

    private DeviceClientBenchmark() {
    }

    /** Readings sent over a reused connection for each one sent with a new connection per message. */
    static final int REUSE_FACTOR = 10;

    static Path cliJar(Path root) {
        Path jar = root.resolve("device-client/target/edgewire-device.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no device client jar at " + jar + "; build with ./mvnw -pl device-client -am package");
        }
        return jar;
    }

    static Result run(Path root, int httpsMessages, int mqttMessages, int reps, boolean warmUp) throws Exception {
        cliJar(root); // fails early, with the build command, when the CLI is not built
        Path work = Files.createTempDirectory("edgewire-bench-device");
        List<String> commands = new ArrayList<>();
        try (LocalModeProcess local = LocalModeProcess.start(root, List.of(THING))) {
            Path readings = work.resolve("readings.jsonl");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < mqttMessages; i++) {
                lines.append(new String(LatencyBenchmark.reading(THING, i), StandardCharsets.UTF_8)).append('\n');
            }
            Files.writeString(readings, lines);
            List<Double> reuse = new ArrayList<>();
            List<Double> fresh = new ArrayList<>();
            List<Double> cliWhole = new ArrayList<>();
            List<Double> cliIn = new ArrayList<>();
            List<Double> mosq = new ArrayList<>();
            for (int rep = warmUp ? 0 : 1; rep <= reps; rep++) { // repetition 0 warms the broker and the page cache up
                List<String> https = simulate(root, local, work, REUSE_FACTOR * httpsMessages, "--protocol", "https");
                List<String> httpsFresh = simulate(root, local, work, httpsMessages, "--protocol", "https",
                        "--new-connection-per-message");
                List<String> mqtt = simulate(root, local, work, mqttMessages);
                List<String> mosquitto = List.of("mosquitto_pub", "-h", "localhost", "-p", Integer.toString(local.mqttPort()),
                        "--cafile", local.caFile().toString(), "--cert", local.certificateFile(THING).toString(),
                        "--key", local.privateKeyFile(THING).toString(), "-i", THING, "-t", "devices/" + THING + "/telemetry",
                        "-q", "1", "-l");
                double r = summary(https, REUSE_FACTOR * httpsMessages, work).path("ratePerSecond").asDouble();
                double f = summary(httpsFresh, httpsMessages, work).path("ratePerSecond").asDouble();
                long t0 = System.nanoTime();
                JsonNode s = summary(mqtt, mqttMessages, work);
                double cliSeconds = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                exec(mosquitto, readings, work);
                double mosqSeconds = (System.nanoTime() - t0) / 1e9;
                if (rep > 0) {
                    reuse.add(r);
                    fresh.add(f);
                    cliWhole.add(mqttMessages / cliSeconds);
                    cliIn.add(s.path("ratePerSecond").asDouble());
                    mosq.add(mqttMessages / mosqSeconds);
                }
                if (commands.isEmpty()) {
                    for (List<String> c : List.of(https, httpsFresh, mqtt, mosquitto)) {
                        // Shown with the temporary directories named, so the lines read (and run) anywhere.
                        commands.add(String.join(" ", c).replace(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "java")
                                .replace(local.state().toString(), "$STATE").replace(work.toString(), "$WORK")
                                .replace(root.toAbsolutePath() + "/", "")
                                + (c == mosquitto ? " < $WORK/readings.jsonl" : ""));
                    }
                }
            }
            return new Result(Spread.of(reuse), Spread.of(fresh), Spread.of(cliWhole), Spread.of(cliIn), Spread.of(mosq),
                    httpsMessages, mqttMessages, commands);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
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
                | `mosquitto_pub -l` (whole process) | %s |
                | `edgewire-device simulate` (whole process) | %s |
                | `edgewire-device simulate` (its own rate, JVM start excluded) | %s |
                | **ratio, whole process** | **%.2fx** (goal >= 0.8x: %s) |
                | ratio, CLI's own rate | %.2fx |

                What the time goes to: `mosquitto_pub` sends all %,d in %.2f s. The CLI spends %.2f s of its run
                before its first connect (JVM start, class loading, TLS set-up), then commits every reading to its
                SQLite outbox before sending it, and its TLS and MQTT stack (Netty, the HiveMQ client, BoringSSL where
                available) costs several times the CPU per message of `mosquitto_pub`'s C client, on 2 cores shared
                with the broker.

                Medians of %d repetitions (after one warm-up round in the full run), (min–max) in brackets. Every reading had to be acked
                or the run fails. Commands (`$STATE` is local mode's fresh state directory, `$WORK` a temporary one):

                ```
                %s
                ```
                """.formatted(REUSE_FACTOR * r.httpsMessages(), r.httpsMessages(), r.httpsReuse().format(0), r.httpsFresh().format(0), https,
                https >= 5 ? "met" : "not met", 1000 / r.httpsReuse().median(), 1000 / r.httpsFresh().median(),
                1000 / r.httpsFresh().median() - 1000 / r.httpsReuse().median(), r.mqttMessages(), THING, r.mosquitto().format(0), r.cliWhole().format(0),
                r.cliInProcess().format(0), mqttWhole, mqttWhole >= 0.8 ? "met" : "not met", mqttIn,
                r.mqttMessages(), r.mqttMessages() / r.mosquitto().median(),
                r.mqttMessages() / r.cliWhole().median() - r.mqttMessages() / r.cliInProcess().median(), reps,
                String.join("\n", r.commands())));
        report.section(md.toString());
    }
}
