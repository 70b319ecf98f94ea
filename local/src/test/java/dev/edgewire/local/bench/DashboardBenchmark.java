package dev.edgewire.local.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.local.dashboard.HeadlessChromium;
import dev.edgewire.local.mqtt.TestMqttClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard page in headless Chromium against local mode. (a) Latency from an MQTT publish
 * (taken in Java just before the QoS 1 send) to the reading being on the chart (taken by the page,
 * {@code performance.timeOrigin + performance.now()}, after uPlot has drawn it), one reading at a
 * time. (b) {@code devices} devices at {@code rate} readings/s each for {@code seconds} s: the JS
 * heap after a forced GC before and after, readings shown against readings sent, and the same
 * latency under that load. Prints numbers; both clocks are this machine's wall clock.
 *
 * <p>Run: see the README's "Dashboard" section for the exact command.
 * Arguments: {@code [latencySamples=100] [devices=20] [rate=10] [seconds=60]}.
 */
public final class DashboardBenchmark {

    private static final Clock CLOCK = Clock.systemUTC();

    public static void main(String[] args) throws Exception {
        int samples = intArg(args, 0, 100);
        int devices = intArg(args, 1, 20);
        int rate = intArg(args, 2, 10);
        int seconds = intArg(args, 3, 60);
        if (!HeadlessChromium.installed()) {
            System.err.println("needs chromium and chromium-driver: apt-get install chromium chromium-driver");
            System.exit(2);
        }
        Path state = Files.createTempDirectory("edgewire-dashboard-bench");
        List<String> things = IntStream.rangeClosed(1, devices).mapToObj(i -> "thing-" + i).toList();
        try (LocalCloud cloud = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(things))) {
            List<Mqtt5BlockingClient> clients = new ArrayList<>();
            for (String thing : things) {
                Mqtt5BlockingClient client = TestMqttClients.client(cloud.mqttPort(), thing, cloud.pki(),
                        cloud.things().get(thing));
                client.connect();
                clients.add(client);
            }
            ChromeDriver browser = HeadlessChromium.start(state.resolve("chromium"), "--enable-precise-memory-info");
            try {
                browser.get(cloud.dashboardUrl().toString());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!"connected".equals(browser.executeScript(
                        "return window.edgewireDashboard ? edgewireDashboard.state : 'loading'"))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the page did not connect");
                    }
                    Thread.sleep(50);
                }
                Thread.sleep(1_500); // past the fan-out's connection cache
                System.out.printf(Locale.ROOT, "Chromium: %s; points kept per series: %s%n",
                        browser.getCapabilities().getBrowserVersion(),
                        browser.executeScript("return edgewireDashboard.pointsPerSeries"));

                latency(browser, clients.get(0), samples);
                load(browser, clients, rate, seconds);
            } finally {
                browser.quit();
                clients.forEach(Mqtt5BlockingClient::disconnect);
            }
        }
    }

    /** (a) One reading at a time: publish, wait until the page has drawn it, next. */
    private static void latency(ChromeDriver browser, Mqtt5BlockingClient device, int samples) throws Exception {
        int warmup = 10;
        List<Double> ms = new ArrayList<>();
        for (int seq = 0; seq < warmup + samples; seq++) {
            double publishedAt = epochMillis();
            publish(device, seq);
            Double drawnAt = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (drawnAt == null && System.nanoTime() < deadline) {
                Thread.sleep(2);
                Object at = browser.executeScript("return edgewireDashboard.drawnAt(arguments[0], arguments[1]) ?? null",
                        thingOf(device), seq);
                drawnAt = at == null ? null : ((Number) at).doubleValue();
            }
            if (drawnAt == null) {
                throw new IllegalStateException("reading " + seq + " never reached the chart");
            }
            if (seq >= warmup) {
                ms.add(drawnAt - publishedAt);
            }
            Thread.sleep(20);
        }
        System.out.printf(Locale.ROOT, "%n(a) MQTT publish -> point drawn on the chart, %d readings one at a time "
                + "(after %d warm-up): %s%n", samples, warmup, summary(ms));
    }

    /** (b) Every device publishing at {@code rate}/s for {@code seconds}; heap before and after, kept-up or not. */
    private static void load(ChromeDriver browser, List<Mqtt5BlockingClient> clients, int rate, int seconds)
            throws Exception {
        browser.navigate().refresh(); // a fresh page: heap and counters start from zero
        while (!"connected".equals(browser.executeScript(
                "return window.edgewireDashboard ? edgewireDashboard.state : 'loading'"))) {
            Thread.sleep(50);
        }
        Thread.sleep(1_500);
        double heapBefore = heapAfterGc(browser);
        AtomicLong sent = new AtomicLong();
        Map<Integer, Double> firstDevicePublishedAt = new ConcurrentHashMap<>();
        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2);
        int ticks = seconds * rate;
        long periodMicros = 1_000_000L / rate;
        AtomicLong tick = new AtomicLong();
        Instant started = Instant.now();
        ticker.scheduleAtFixedRate(() -> {
            int seq = (int) tick.getAndIncrement();
            if (seq >= ticks) {
                return;
            }
            for (int d = 0; d < clients.size(); d++) {
                if (d == 0) {
                    firstDevicePublishedAt.put(seq, epochMillis());
                }
                publishAsync(clients.get(d), seq);
                sent.incrementAndGet();
            }
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        double heapMid = Double.NaN;
        while (tick.get() < ticks) {
            Thread.sleep(250);
            if (Double.isNaN(heapMid) && tick.get() >= ticks / 2) {
                heapMid = heapUsed(browser);
            }
        }
        ticker.shutdown();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        double sendSeconds = java.time.Duration.between(started, Instant.now()).toMillis() / 1000.0;
        long expected = sent.get();
        long shown = 0;
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < drainDeadline) {
            shown = ((Number) browser.executeScript("return edgewireDashboard.received")).longValue();
            if (shown >= expected) {
                break;
            }
            Thread.sleep(200);
        }
        Thread.sleep(2_500); // past the loss grace period, so gaps are settled
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> perDevice = (List<Map<String, Object>>) browser.executeScript(
                "return edgewireDashboard.devices()");
        long counted = perDevice.stream().mapToLong(d -> ((Number) d.get("count")).longValue()).sum();
        long lost = perDevice.stream().mapToLong(d -> ((Number) d.get("lost")).longValue()).sum();
        long points = ((Number) browser.executeScript("return edgewireDashboard.pointCount()")).longValue();
        double heapAfter = heapAfterGc(browser);

        List<Double> underLoad = new ArrayList<>();
        String first = thingOf(clients.get(0));
        for (var e : firstDevicePublishedAt.entrySet()) {
            Object at = browser.executeScript("return edgewireDashboard.drawnAt(arguments[0], arguments[1]) ?? null",
                    first, e.getKey());
            if (at != null) {
                underLoad.add(((Number) at).doubleValue() - e.getValue());
            }
        }
        System.out.printf(Locale.ROOT, "%n(b) %d devices x %d readings/s for %d s (sent in %.1f s): %d sent, %d shown "
                        + "(%.2f%%), %d lost by seq, %d points held in the charts%n",
                clients.size(), rate, ticks / rate, sendSeconds, expected, counted,
                100.0 * counted / Math.max(1, expected), lost, points);
        System.out.printf(Locale.ROOT, "    JS heap after GC: before %.1f MB, halfway (no GC) %.1f MB, after %.1f MB%n",
                heapBefore / 1e6, heapMid / 1e6, heapAfter / 1e6);
        System.out.printf(Locale.ROOT, "    publish -> drawn for %s under that load (the last %d of its readings the page "
                + "still remembers): %s%n", first, underLoad.size(), summary(underLoad));
    }

    private static double heapAfterGc(ChromeDriver browser) throws InterruptedException {
        browser.executeCdpCommand("HeapProfiler.enable", Map.of());
        browser.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
        Thread.sleep(200);
        return heapUsed(browser);
    }

    private static double heapUsed(ChromeDriver browser) {
        return ((Number) browser.executeScript("return performance.memory.usedJSHeapSize")).doubleValue();
    }

    private static void publish(Mqtt5BlockingClient client, int seq) {
        client.publishWith().topic("devices/" + thingOf(client) + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload(reading(thingOf(client), seq)).send();
    }

    private static void publishAsync(Mqtt5BlockingClient client, int seq) {
        client.toAsync().publishWith().topic("devices/" + thingOf(client) + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload(reading(thingOf(client), seq)).send();
    }

    private static byte[] reading(String thing, int seq) {
        return String.format(Locale.ROOT, "{\"deviceId\":\"%s\",\"seq\":%d,\"ts\":\"%s\",\"temperature\":%.2f,"
                        + "\"humidity\":%.2f,\"pressure\":%.2f,\"battery\":%.3f}", thing, seq, Instant.now(),
                21 + 2 * Math.sin(seq / 10.0), 45 + 5 * Math.cos(seq / 15.0), 1012 + Math.sin(seq / 20.0),
                Math.max(0, 1 - seq / 10_000.0)).getBytes(StandardCharsets.UTF_8);
    }

    private static String thingOf(Mqtt5BlockingClient client) {
        return client.getConfig().getClientIdentifier().orElseThrow().toString();
    }

    /** Wall-clock epoch milliseconds with sub-millisecond precision, as the page's timeOrigin + now() is. */
    private static double epochMillis() {
        Instant now = CLOCK.instant();
        return now.getEpochSecond() * 1000.0 + now.getNano() / 1e6;
    }

    private static String summary(List<Double> ms) {
        if (ms.isEmpty()) {
            return "no samples";
        }
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "n=%d median %.1f ms, p90 %.1f ms, max %.1f ms, min %.1f ms", sorted.size(),
                pct(sorted, 50), pct(sorted, 90), sorted.get(sorted.size() - 1), sorted.get(0));
    }

    private static double pct(List<Double> sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }
}
