package dev.edgewire.local.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.local.dashboard.HeadlessChromium;
import dev.edgewire.standins.mqtt.MqttTestClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        // Local mode's terminal log format and levels, as local/bin/edgewire-local runs it.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "edgewire-local-log4j2.xml");
        }
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
                Mqtt5BlockingClient client = MqttTestClients.client(cloud.mqttPort(), thing, cloud.pki(),
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
        List<Double> toPage = new ArrayList<>();
        List<Double> onPage = new ArrayList<>();
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
                double arrivedAt = ((Number) browser.executeScript(
                        "return edgewireDashboard.arrivedAt(arguments[0], arguments[1])", thingOf(device), seq)).doubleValue();
                ms.add(drawnAt - publishedAt);
                toPage.add(arrivedAt - publishedAt);
                onPage.add(drawnAt - arrivedAt);
            }
            Thread.sleep(20);
        }
        System.out.printf(Locale.ROOT, "%n(a) MQTT publish -> point drawn on the chart, %d readings one at a time "
                + "(after %d warm-up): %s%n", samples, warmup, summary(ms));
        System.out.printf(Locale.ROOT, "    of which publish -> envelope at the page: %s%n", summary(toPage));
        System.out.printf(Locale.ROOT, "    and envelope at the page -> drawn: %s%n", summary(onPage));
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
        // A second listener outside the browser tells the stage's delay from the page's.
        String stage = (String) browser.executeScript("return document.getElementById('stage-url').value");
        String token = (String) browser.executeScript("return document.getElementById('stage-token').value");
        Map<Integer, Double> javaArrivals = new ConcurrentHashMap<>();
        String firstThing = thingOf(clients.get(0));
        Pattern firstThingSeq = Pattern.compile("\"deviceId\":\"" + firstThing + "\".*\"seq\":(\\d+)");
        WebSocket listener = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(stage + "?token=" + token), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            Matcher m = firstThingSeq.matcher(partial);
                            if (m.find()) {
                                javaArrivals.put(Integer.parseInt(m.group(1)), epochMillis());
                            }
                            partial.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        Thread.sleep(1_500);
        double heapBefore = heapAfterGc(browser);
        @SuppressWarnings("unchecked")
        Map<String, Number> framesBefore = (Map<String, Number>) browser.executeScript("return edgewireDashboard.frames()");
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
        @SuppressWarnings("unchecked")
        Map<String, Number> framesAfter = (Map<String, Number>) browser.executeScript("return edgewireDashboard.frames()");
        long frameCount = framesAfter.get("count").longValue() - framesBefore.get("count").longValue();
        double frameMs = framesAfter.get("totalMs").doubleValue() - framesBefore.get("totalMs").doubleValue();

        listener.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        List<Double> toJavaClient = new ArrayList<>();
        firstDevicePublishedAt.forEach((seq, at) -> {
            Double arrived = javaArrivals.get(seq);
            if (arrived != null && seq >= ticks - 250) {
                toJavaClient.add(arrived - at);
            }
        });
        List<Double> underLoad = new ArrayList<>();
        List<Double> underLoadToPage = new ArrayList<>();
        String first = thingOf(clients.get(0));
        for (var e : firstDevicePublishedAt.entrySet()) {
            @SuppressWarnings("unchecked")
            List<Number> at = (List<Number>) browser.executeScript("return [edgewireDashboard.arrivedAt(arguments[0], "
                    + "arguments[1]) ?? null, edgewireDashboard.drawnAt(arguments[0], arguments[1]) ?? null]", first, e.getKey());
            if (at.get(0) != null && at.get(1) != null) {
                underLoadToPage.add(at.get(0).doubleValue() - e.getValue());
                underLoad.add(at.get(1).doubleValue() - e.getValue());
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
        System.out.printf(Locale.ROOT, "    of which publish -> envelope at the page: %s%n", summary(underLoadToPage));
        System.out.printf(Locale.ROOT, "    publish -> envelope at a Java WebSocket client on the same stage (its last 250): %s%n",
                summary(toJavaClient));
        System.out.printf(Locale.ROOT, "    page frames while loaded: %d, drawing %.1f ms per frame on average, longest %.1f ms "
                + "(whole run)%n", frameCount, frameMs / Math.max(1, frameCount), framesAfter.get("maxMs").doubleValue());
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
