package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools people already use, unchanged, against local mode: wscat on the WebSocket API,
 * mosquitto_pub and mosquitto_sub (MQTT 3.1.1 and 5) with the generated certificates, curl on the
 * HTTPS publish endpoint. Skipped where mosquitto-clients is not installed, except in CI.
 */
class RealClientsIT {

    @TempDir
    static Path state;
    static LocalCloud cloud;
    static Map<String, String> out;

    @BeforeAll
    static void start() throws Exception {
        boolean installed = onPath("mosquitto_pub") && onPath("mosquitto_sub") && onPath("curl");
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(installed, "mosquitto-clients and curl are not installed");
        }
        assertThat(installed).as("CI installs mosquitto-clients and curl").isTrue();
        cloud = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1", "thing-2")));
        out = cloud.outputs();
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void wscatMosquittoAndCurl_talkToEachOtherThroughLocalMode() throws Exception {
        Path wscat = Path.of(System.getProperty("edgewire.root", "../"), "node_modules/wscat/bin/wscat");
        assertThat(wscat).as("installed from package-lock.json").exists();
        Process ws = new ProcessBuilder("node", wscat.toString(), "-c",
                out.get("WebSocketUrl") + "/demo?token=" + cloud.token()).redirectErrorStream(true).start();
        List<String> wsLines = lines(ws);
        Process sub = null;
        try {
            // wscat prints nothing on connect without a terminal: its row in the table says it is in.
            await().atMost(Duration.ofSeconds(20)).until(() -> cloud.storeClient()
                    .scan(b -> b.tableName(LocalCloud.TABLE_NAME)).count() > 0);
            Thread.sleep(1_100); // the fan-out's connection cache (its staleness bound)

            sub = new ProcessBuilder(mosquitto("mosquitto_sub", "thing-1", "-V", "mqttv311", "-t", "general/outbound",
                    "-C", "1", "-W", "20")).redirectErrorStream(true).start();
            List<String> subLines = lines(sub);
            Thread.sleep(1_000);

            run(mosquitto("mosquitto_pub", "thing-2", "-V", "mqttv311", "-t", "devices/thing-2/telemetry",
                    "-m", "{\"deviceId\":\"thing-2\",\"seq\":311,\"temperature\":19.5}"));
            run(mosquitto("mosquitto_pub", "thing-2", "-V", "mqttv5", "-t", "devices/thing-2/telemetry",
                    "-m", "{\"deviceId\":\"thing-2\",\"seq\":5000,\"temperature\":19.6}"));
            String curl = run(List.of("curl", "-sS", "--cacert", out.get("CaCertificateFile"),
                    "--cert", out.get("CertificateFile"), "--key", out.get("PrivateKeyFile"), "-X", "POST",
                    "-d", "{\"deviceId\":\"thing-1\",\"seq\":443,\"humidity\":40.1}",
                    "https://localhost:" + out.get("HttpsPort") + "/topics/devices%2Fthing-1%2Ftelemetry?qos=1"));
            assertThat(curl).contains("\"message\":\"OK\"");

            await().atMost(Duration.ofSeconds(15)).until(() -> String.join("\n", wsLines).contains("\"seq\":311")
                    && String.join("\n", wsLines).contains("\"seq\":5000")
                    && String.join("\n", wsLines).contains("\"seq\":443"));

            try (Writer stdin = new OutputStreamWriter(ws.getOutputStream(), StandardCharsets.UTF_8)) {
                stdin.write("{\"action\":\"sendMessage\",\"message\":\"hello from terminal2\"}\n");
                stdin.flush();
                assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
                // The process may end before its reader has taken its last line.
                await().atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(String.join("\n", subLines)).contains("hello from terminal2"));
            }
        } finally {
            ws.destroy();
            if (sub != null) {
                sub.destroy();
            }
        }
    }

    @Test
    void mosquittoPub_toAnotherThingsTopic_isRefused() throws Exception {
        Process pub = new ProcessBuilder(mosquitto("mosquitto_pub", "thing-2", "-V", "mqttv5",
                "-t", "devices/thing-1/telemetry", "-m", "{}")).redirectErrorStream(true).start();
        String output = new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(output + " exit " + pub.exitValue()).containsIgnoringCase("not authorized");
    }

    private static List<String> mosquitto(String tool, String thing, String... args) {
        Path dir = Path.of(out.get("CertificateFile")).getParent().getParent();
        List<String> command = new ArrayList<>(List.of(tool, "-h", "localhost", "-p", out.get("MqttPort"),
                "--cafile", out.get("CaCertificateFile"),
                "--cert", dir.resolve(thing).resolve("certificate.pem").toString(),
                "--key", dir.resolve(thing).resolve("private.key").toString(),
                "-i", thing, "-q", "1"));
        command.addAll(List.of(args));
        return command;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }

    private static List<String> lines(Process process) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
