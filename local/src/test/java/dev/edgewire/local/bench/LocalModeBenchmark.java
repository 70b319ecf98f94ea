package dev.edgewire.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;

import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Measures local mode as a user runs it, in a child JVM started like the run command: time to
 * ready, resident memory idle and under load (devices publishing over MQTT while WebSocket
 * clients listen), and end-to-end latency from MQTT publish to WebSocket receipt against the raw
 * broker round trip (QoS 1 publish to PUBACK) on the same broker and connection. Prints numbers.
 *
 * <p>Run: see the README's "Measured" section for the exact command.
 */
public final class LocalModeBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int devices = intArg(args, 0, 20);
        int ratePerDevice = intArg(args, 1, 10);
        int clients = intArg(args, 2, 100);
        int seconds = intArg(args, 3, 60);
        Path state = Files.createTempDirectory("edgewire-bench");

        long started = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"));
        String extra = System.getProperty("bench.jvmArgs", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.edgewire.local.LocalMode", "--state-dir", state.toString(),
                "--mqtt-port", "0", "--https-port", "0", "--ws-port", "0"));
        List<String> things = new ArrayList<>();
        for (int i = 1; i <= devices; i++) {
            things.add("bench-" + i);
        }
        command.add("--thing=" + String.join(",", things));
        Process local = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(local.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String ready = null;
            while ((line = out.readLine()) != null) {
                if (line.contains("local mode is ready")) {
                    ready = line.trim();
                    break;
                }
            }
            long toReady = (System.nanoTime() - started) / 1_000_000;
            drain(out);
            if (ready == null) {
                throw new IllegalStateException("local mode did not start");
            }
            System.out.printf("ready: %d ms from process start to the ready line (%s)%n", toReady, ready);
            Thread.sleep(3_000);
            System.out.printf("rss idle: %d MB%n", rssMb(local.pid()));

            JsonNode outputs = JSON.readTree(state.resolve("outputs.json").toFile()).get("edgewire-local");
            int mqttPort = outputs.get("MqttPort").asInt();
            URI stage = URI.create(outputs.get("WebSocketUrl").asText() + "/demo?token=" + outputs.get("Token").asText());
            Path certs = Path.of(outputs.get("CaCertificateFile").asText()).getParent();

            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            AtomicLong received = new AtomicLong();
            List<WebSocket> sockets = new ArrayList<>();
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < clients; i++) {
                boolean measuring = i == 0;
                sockets.add(http.newWebSocketBuilder().buildAsync(stage, new Listener(measuring, latencies, received))
                        .get(20, TimeUnit.SECONDS));
            }
            Thread.sleep(1_500);

            List<Mqtt5AsyncClient> devicesClients = new ArrayList<>();
            for (String thing : things) {
                Mqtt5AsyncClient c = Mqtt5Client.builder().identifier(thing).serverHost("127.0.0.1").serverPort(mqttPort)
                        .sslConfig(tls(certs, thing)).buildAsync();
                c.connect().get(20, TimeUnit.SECONDS);
                devicesClients.add(c);
            }

            // Raw baseline: the broker's QoS 1 round trip (PUBACK), same broker, same TLS, one device.
            Mqtt5AsyncClient probe = devicesClients.get(0);
            List<Long> raw = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long t0 = System.nanoTime();
                probe.publishWith().topic("devices/" + things.get(0) + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(reading(things.get(0), -1 - i, 0)).send().get(10, TimeUnit.SECONDS);
                raw.add(System.nanoTime() - t0);
                Thread.sleep(10);
            }
            Thread.sleep(2_000);
            latencies.clear();
            received.set(0);

            long period = 1_000_000_000L / ratePerDevice;
            long loadStart = System.nanoTime();
            long cpuBefore = cpuMillis(local.pid());
            long maxRss = 0;
            long sent = 0;
            long next = System.nanoTime();
            int seq = 0;
            while (System.nanoTime() - loadStart < TimeUnit.SECONDS.toNanos(seconds)) {
                for (int d = 0; d < devicesClients.size(); d++) {
                    devicesClients.get(d).publishWith().topic("devices/" + things.get(d) + "/telemetry")
                            .qos(MqttQos.AT_LEAST_ONCE).payload(reading(things.get(d), seq, System.nanoTime())).send();
                    sent++;
                }
                seq++;
                next += period;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
                if (seq % ratePerDevice == 0) {
                    maxRss = Math.max(maxRss, rssMb(local.pid()));
                }
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            long cpuAfter = cpuMillis(local.pid());
            Thread.sleep(3_000);
            long expected = sent * clients;

            long[] e2e = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] rawSorted = raw.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("load: %d devices x %d readings/s for %.0f s, %d WebSocket clients: %d readings sent, "
                    + "%d of %d envelopes delivered%n", devices, ratePerDevice, loadSeconds, clients, sent, received.get(), expected);
            System.out.printf("rss under load: max %d MB, after %d MB; cpu %.0f%% of one core%n",
                    maxRss, rssMb(local.pid()), 100.0 * (cpuAfter - cpuBefore) / (loadSeconds * 1000));
            System.out.printf("end-to-end MQTT publish -> WebSocket receipt (n=%d): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    e2e.length, pct(e2e, 50), pct(e2e, 99), e2e.length == 0 ? 0 : e2e[e2e.length - 1] / 1e6);
            System.out.printf("raw broker round trip, QoS 1 publish -> PUBACK (n=%d): p50 %.1f ms, p99 %.1f ms%n",
                    rawSorted.length, pct(rawSorted, 50), pct(rawSorted, 99));

            for (Mqtt5AsyncClient c : devicesClients) {
                c.disconnect();
            }
            for (WebSocket s : sockets) {
                s.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            }
        } finally {
            local.destroy();
            local.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] reading(String thing, int seq, long sentNanos) {
        return ("{\"deviceId\":\"" + thing + "\",\"seq\":" + seq + ",\"ts\":\"2026-11-29T21:00:00Z\",\"temperature\":22.4,"
                + "\"humidity\":41.2,\"pressure\":1012.8,\"battery\":0.93,\"sentNanos\":" + sentNanos + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Counts envelopes; the first client also records publish-to-receipt latency. */
    private static final class Listener implements WebSocket.Listener {
        private final boolean measuring;
        private final ConcurrentLinkedQueue<Long> latencies;
        private final AtomicLong received;
        private final StringBuilder partial = new StringBuilder();

        Listener(boolean measuring, ConcurrentLinkedQueue<Long> latencies, AtomicLong received) {
            this.measuring = measuring;
            this.latencies = latencies;
            this.received = received;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (!last) {
                return null;
            }
            String text = partial.toString();
            partial.setLength(0);
            if (text.contains("\"telemetry\"") && !text.contains("\"seq\":-")) {
                received.incrementAndGet();
                if (measuring) {
                    int at = text.indexOf("\"sentNanos\":");
                    if (at >= 0) {
                        int end = at + 12;
                        while (end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == '-')) {
                            end++;
                        }
                        long sent = Long.parseLong(text.substring(at + 12, end));
                        if (sent > 0) {
                            latencies.add(now - sent);
                        }
                    }
                }
            }
            return null;
        }
    }

    private static MqttClientSslConfig tls(Path certs, String thing) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate ca;
        X509Certificate cert;
        try (var in = Files.newInputStream(certs.resolve("ca.pem"))) {
            ca = (X509Certificate) cf.generateCertificate(in);
        }
        try (var in = Files.newInputStream(certs.resolve("things").resolve(thing).resolve("certificate.pem"))) {
            cert = (X509Certificate) cf.generateCertificate(in);
        }
        String pem = Files.readString(certs.resolve("things").resolve(thing).resolve("private.key"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("device", key, "x".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "x".toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return MqttClientSslConfig.builder().keyManagerFactory(kmf).trustManagerFactory(tmf).build();
    }

    private static long rssMb(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    private static long cpuMillis(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "stat")).split("\\) ")[1].split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    private static void drain(Reader out) {
        Thread t = new Thread(() -> {
            char[] buffer = new char[8192];
            try {
                while (out.read(buffer) >= 0) {
                    // keep the child's stdout from filling its pipe
                }
            } catch (Exception ignored) {
                // child ended
            }
        });
        t.setDaemon(true);
        t.start();
    }

}
