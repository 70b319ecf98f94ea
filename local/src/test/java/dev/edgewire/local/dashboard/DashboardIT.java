package dev.edgewire.local.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.local.e2e.ManagementApi;
import dev.edgewire.standins.mqtt.MqttTestClients;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;

/**
 * The dashboard page in a real headless Chromium against a running local mode: readings published
 * over MQTT by two things show up in the charts and the device table, a gap in {@code seq} shows as
 * lost readings, messages typed into the page reach a device subscribed over MQTT, a wrong token is
 * reported as refused, and a socket the server closes is reopened. Skipped where Chromium is not
 * installed, except in CI.
 */
class DashboardIT {

    @TempDir
    static Path state;
    @TempDir
    static Path profile;
    static LocalCloud cloud;
    static ChromeDriver browser;
    static Mqtt5BlockingClient thing1;
    static Mqtt5BlockingClient thing2;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(HeadlessChromium.installed(),
                    "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        }
        assertThat(HeadlessChromium.installed()).as("CI installs chromium and chromium-driver").isTrue();
        cloud = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1", "thing-2")));
        thing1 = device("thing-1");
        thing2 = device("thing-2");
        browser = HeadlessChromium.start(profile.resolve("chromium"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        for (Mqtt5BlockingClient client : new Mqtt5BlockingClient[] {thing1, thing2}) {
            if (client != null && client.getState().isConnected()) {
                client.disconnect();
            }
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @BeforeEach
    void openThePage() throws InterruptedException {
        browser.manage().window().setSize(new Dimension(1280, 1100));
        // Missing readings count as lost after 2 s here (60 s by default), so the tests need not wait.
        browser.get(cloud.dashboardUrl() + "?settle=2");
        awaitState("connected");
        // The fan-out reads connection ids through a cache with a 1 s staleness bound.
        Thread.sleep(1_100);
    }

    @Test
    void readingsOverMqtt_appearInTheChartsAndTheTable_andASeqGapCountsAsLost() {
        // Sent in order; the fan-out may deliver them out of order, and the page must not mind.
        publish(thing1, 0, 20.0);
        publish(thing1, 1, 20.5);
        publish(thing1, 2, 21.0);
        publish(thing1, 5, 22.5); // 3 and 4 never sent
        publish(thing2, 0, 18.0);
        publish(thing2, 1, 18.25);

        await().atMost(Duration.ofSeconds(15)).until(() -> drawn("thing-1", 0) && drawn("thing-1", 1)
                && drawn("thing-1", 2) && drawn("thing-1", 5) && drawn("thing-2", 0) && drawn("thing-2", 1));

        assertThat(chartValues("temperature", "thing-1")).containsExactly(20.0, 20.5, 21.0, 22.5);
        assertThat(chartValues("temperature", "thing-2")).containsExactly(18.0, 18.25);
        assertThat(chartValues("humidity", "thing-1")).containsExactly(40.0, 41.0, 42.0, 45.0);
        assertThat(cell("thing-1", "count")).isEqualTo("4");
        // Out-of-order delivery gets a grace period before a missing seq counts as lost.
        await().atMost(Duration.ofSeconds(10)).until(() -> cell("thing-1", "lost").equals("2"));
        assertThat(cell("thing-1", "seq")).isEqualTo("5");
        assertThat(cell("thing-1", "temperature")).isEqualTo("22.5");
        assertThat(cell("thing-1", "last-seen")).isNotBlank();
        assertThat(cell("thing-2", "count")).isEqualTo("2");
        assertThat(cell("thing-2", "lost")).isEqualTo("0");
        assertThat(cell("thing-2", "temperature")).isEqualTo("18.25");
        assertThat(logText()).contains("thing-1: 2 readings lost (seq 3\u20134)");
        assertThat(logText()).doesNotContain("security policy");
    }

    @Test
    void aReadingThatArrivesAfterItWasCountedLost_isCountedBack_asLate_alsoAcrossAReconnect() throws Exception {
        // A settle time long enough to see the gap as late first, on a busy machine too.
        browser.get(cloud.dashboardUrl() + "?settle=6");
        awaitState("connected");
        Thread.sleep(1_100);
        publish(thing2, 400, 20.0);
        publish(thing2, 402, 20.2); // 401 comes later
        // Two batches may deliver 402 before 400: until both are here the gap is not known.
        await().atMost(Duration.ofSeconds(10)).until(() -> drawn("thing-2", 400) && drawn("thing-2", 402));
        assertThat(cell("thing-2", "late")).isEqualTo("1");
        await().atMost(Duration.ofSeconds(20)).until(() -> cell("thing-2", "lost").equals("1"));
        assertThat(cell("thing-2", "late")).isEqualTo("0");

        // The page loses its connection and gets it back; then the late reading arrives.
        String id = pageConnectionId();
        try (ApiGatewayManagementApiClient management = managementApi()) {
            management.deleteConnection(b -> b.connectionId(id));
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(transitions())
                .containsSubsequence("connected", "reconnecting", "connected").endsWith("connected"));
        Thread.sleep(1_100);
        publish(thing2, 401, 20.1);
        publish(thing2, 403, 20.3);

        await().atMost(Duration.ofSeconds(10)).until(() -> drawn("thing-2", 401) && drawn("thing-2", 403));
        await().atMost(Duration.ofSeconds(5)).until(() -> cell("thing-2", "lost").equals("0"));
        assertThat(cell("thing-2", "late")).isEqualTo("0");
        assertThat(js("return edgewireDashboard.devices().find(d => d.deviceId === 'thing-2').lateAfterSettle")).isEqualTo(1L);
        assertThat(logText()).contains("thing-2: seq 401 arrived late; 0 lost now");
        assertThat(browser.findElement(By.id("settle")).getText()).isEqualTo("6 s");
    }

    @Test
    void theOperationsPanel_showsReadingsInAndDelivered_theLagAndThePagesConnection() {
        int[] seq = {1_000};
        // A reading every 200 ms until the panel's rates over the last seconds show them.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            publish(thing1, seq[0]++, 19.5);
            return browser.findElement(By.id("operations")).isDisplayed()
                    && figure("ops-readings-in") > 0 && figure("ops-readings-delivered") > 0 && figure("ops-connections") >= 1;
        });

        assertThat(browser.findElement(By.id("ops-readings-in")).getText()).endsWith("/s");
        assertThat(figure("ops-lag")).isNotNegative();
        assertThat(browser.findElement(By.id("ops-lag")).getText()).endsWith(" ms");
        assertThat(browser.findElement(By.id("ops-failed")).getText()).matches("\\d+ \\(\\d+ gone, \\d+ failed\\)");
        assertThat(browser.findElement(By.id("ops-stage")).getText()).isEqualTo("demo");
        assertThat(js("return edgewireDashboard.operations().stage")).isEqualTo("demo");
        assertThat(logText()).doesNotContain("security policy");
    }

    /** A figure of the operations panel as the page holds it (its data-value), or -1 while it has none. */
    private static double figure(String id) {
        String value = browser.findElement(By.id(id)).getAttribute("data-value");
        return value == null || value.isEmpty() ? -1 : Double.parseDouble(value);
    }

    @Test
    void aMessageFromThePage_reachesAllDevices_orTheOneNamed() {
        List<String> outbound = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var publishes = thing2.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
            thing2.subscribeWith().topicFilter("general/outbound").qos(MqttQos.AT_LEAST_ONCE).send();
            thing2.subscribeWith().topicFilter("devices/thing-2/commands").qos(MqttQos.AT_LEAST_ONCE).send();

            send("hello everyone", "");
            Mqtt5Publish toAll = receive(publishes);
            assertThat(toAll.getTopic().toString()).isEqualTo("general/outbound");
            assertThat(new String(toAll.getPayloadAsBytes(), StandardCharsets.UTF_8)).contains("hello everyone");

            send("hello thing-2", "thing-2");
            Mqtt5Publish toOne = receive(publishes);
            assertThat(toOne.getTopic().toString()).isEqualTo("devices/thing-2/commands");
            assertThat(new String(toOne.getPayloadAsBytes(), StandardCharsets.UTF_8)).contains("hello thing-2");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            thing2.unsubscribeWith().topicFilter("general/outbound").send();
            thing2.unsubscribeWith().topicFilter("devices/thing-2/commands").send();
        }
        // Every connection gets the message envelope too, the sender included; the page logs it.
        await().atMost(Duration.ofSeconds(10)).until(() -> messageEnvelopeLogged("hello thing-2"));
        assertThat(logText()).contains("sent to all devices: hello everyone").contains("sent to thing-2: hello thing-2");
    }

    @Test
    void watchingOneDevice_bringsOnlyItsReadings_untilThePageWatchesAllAgain() throws InterruptedException {
        watch("thing-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("watching")).getText()
                .equals("Watching thing-2."));
        Thread.sleep(1_100); // the fan-out's cache of connections and their choices

        publish(thing1, 200, 25.0);
        publish(thing2, 200, 26.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> drawn("thing-2", 200));
        // thing-1's reading was published first and went through the same queue: had it been sent, it would be here.
        Thread.sleep(1_000);
        assertThat(drawn("thing-1", 200)).isFalse();

        watch("");
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("watching")).getText()
                .equals("Watching every device."));
        Thread.sleep(1_100);
        publish(thing1, 201, 25.5);
        await().atMost(Duration.ofSeconds(10)).until(() -> drawn("thing-1", 201));
        assertThat(js("return edgewireDashboard.watched")).isNull();
    }

    @Test
    void aBadDeviceId_getsTheErrorEnvelopeInTheLog() {
        js("document.getElementById('message-device').removeAttribute('pattern')");
        send("to nowhere", "no/such thing");

        await().atMost(Duration.ofSeconds(10)).until(() -> logText().contains("BadRequest: \"deviceId\" must be a thing name"));
    }

    @Test
    void aWrongToken_isReportedAsRefused_andNotRetried() throws InterruptedException {
        String stage = (String) js("return document.getElementById('stage-url').value");
        browser.get(cloud.dashboardUrl() + "?url=" + URLEncoder.encode(stage, StandardCharsets.UTF_8) + "&token=wrong");

        awaitState("refused");
        assertThat(browser.findElement(By.id("state")).getText()).contains("refused").contains("token");
        assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
        Thread.sleep(1_500);
        assertThat(js("return edgewireDashboard.state")).isEqualTo("refused");
    }

    @Test
    void whenTheServerClosesTheSocket_thePageReconnects_andReadingsFlowAgain() throws Exception {
        String id = pageConnectionId();
        try (ApiGatewayManagementApiClient management = managementApi()) {
            management.deleteConnection(b -> b.connectionId(id));
        }

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(transitions())
                .containsSubsequence("connected", "reconnecting", "connected")
                .endsWith("connected"));
        Thread.sleep(1_100);
        publish(thing1, 100, 30.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> drawn("thing-1", 100));
    }

    @Test
    void thePage_fitsAPhoneScreen_andLabelsEveryField() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        publish(thing1, 0, 21.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> drawn("thing-1", 0));

        assertThat(js("return document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
        assertThat(js("return [...document.querySelectorAll('input, button')]"
                + ".every(e => e.tagName === 'BUTTON' ? e.textContent.trim() !== '' : e.labels.length > 0)")).isEqualTo(true);
        // Keyboard: the message field and its Send button are in the tab order.
        assertThat(js("return [...document.querySelectorAll('#message-text, #send')].every(e => e.tabIndex >= 0)"))
                .isEqualTo(true);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "dashboard-phone.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void seqBookkeeping_toleratesReordering_andBackoffStaysJitteredAndCapped() {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                Promise.all([import('/series.js'), import('/connection.js')]).then(([series, connection]) => {
                  const t = new series.SeqTracker();
                  [1, 2, 0, 5, 3, 5].forEach((seq) => t.observe(seq, 1000)); // 0 late, 4 missing, 5 twice
                  const pendingBefore = t.pending;
                  const lostEarly = t.settle(2000, 2000).length;              // within the grace period
                  const lostLate = t.settle(3000, 2000);                      // past it
                  t.observe(0, 4000);                                         // the device restarted
                  const first = new series.SeqTracker();
                  [5, 0, 2, 1].forEach((seq) => first.observe(seq, 1000));   // 5 overtook 0 to 2; 3 and 4 never came
                  const firstLost = first.settle(3000, 2000);
                  const ring = new series.Ring(3);
                  [[1, 10], [3, 30], [2, 20], [4, 40]].forEach(([x, y]) => ring.push(x, y));
                  const delays = [0, 1, 5, 20].map((a) => [connection.backoffDelay(a, () => 0),
                                                           connection.backoffDelay(a, () => 1)]);
                  const recent = new connection.RecentIds(3);
                  const admitted = ['a', 'b', 'a', undefined, undefined, 'c', 'b', 'd', 'a', 'c']
                    .map((id) => recent.admit(id));
                  done({ admitted, droppedIds: recent.dropped, firstLost, firstDuplicates: first.duplicates,
                         pendingBefore, lostEarly, lostLate, lost: t.lost, duplicates: t.duplicates,
                         restarts: t.restarts, highest: t.highest, ring: ring.toArrays(), delays });
                }, (e) => done({ error: String(e) }));
                """);

        assertThat(r.get("error")).isNull();
        assertThat(r.get("firstLost")).as("seqs overtaken by the first reading to arrive are tracked, not duplicates")
                .isEqualTo(List.of(3L, 4L));
        assertThat(r.get("firstDuplicates")).isEqualTo(0L);
        assertThat(r.get("pendingBefore")).isEqualTo(1L);
        assertThat(r.get("lostEarly")).isEqualTo(0L);
        assertThat(r.get("lostLate")).isEqualTo(List.of(4L));
        assertThat(r.get("lost")).isEqualTo(1L);
        assertThat(r.get("duplicates")).isEqualTo(1L);
        assertThat(r.get("restarts")).isEqualTo(1L);
        assertThat(r.get("highest")).isEqualTo(0L);
        assertThat(r.get("ring")).as("the oldest point dropped, the rest sorted by time")
                .isEqualTo(List.of(List.of(2L, 3L, 4L), List.of(20L, 30L, 40L)));
        assertThat(r.get("admitted")).as("repeats of the last 3 ids dropped; no id always passes; 'a' forgotten after 3 others")
                .isEqualTo(List.of(true, true, false, true, true, true, false, true, true, false));
        assertThat(r.get("droppedIds")).isEqualTo(3L);
        assertThat(r.get("delays")).as("[low, high] per attempt: the upper half of a doubling step, capped at 30 s")
                .isEqualTo(List.of(List.of(250L, 500L), List.of(500L, 1000L), List.of(8000L, 16000L),
                        List.of(15000L, 30000L)));
    }

    @Test
    void screenshot_withLiveData() throws Exception {
        for (int i = 0; i < 60; i++) {
            if (i < 30 || i > 33) { // thing-1 loses four readings
                publish(thing1, i, 21 + 2 * Math.sin(i / 6.0), 40 + 5 * Math.cos(i / 9.0), 1012 + Math.sin(i / 12.0),
                        0.95 - i * 0.002);
            }
            publish(thing2, i, 19 + 1.5 * Math.cos(i / 7.0), 48 + 4 * Math.sin(i / 8.0), 1010 + Math.cos(i / 10.0),
                    0.81 - i * 0.001);
            Thread.sleep(40);
        }
        send("fan on", "thing-1");
        await().atMost(Duration.ofSeconds(15)).until(() -> Long.valueOf(56).equals(js(
                "return edgewireDashboard.devices().find(d => d.deviceId === 'thing-1')?.count"))
                && Long.valueOf(60).equals(js("return edgewireDashboard.devices().find(d => d.deviceId === 'thing-2')?.count"))
                && messageEnvelopeLogged("fan on") && logText().contains("4 readings lost"));
        long height = (Long) js("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1280, (int) Math.min(2400, height + 140)));
        Thread.sleep(500); // let the charts take the new width
        Path png = Path.of("target", "dashboard.png");
        Files.createDirectories(png.getParent());
        Files.write(png, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(png)).isGreaterThan(10_000);
    }

    // --- helpers --------------------------------------------------------------------------

    private static Mqtt5BlockingClient device(String thing) throws Exception {
        Mqtt5BlockingClient client = MqttTestClients.client(cloud.mqttPort(), thing, cloud.pki(), cloud.things().get(thing));
        client.connect();
        return client;
    }

    private static void publish(Mqtt5BlockingClient client, int seq, double temperature) {
        publish(client, seq, temperature, temperature * 2, 1000 + temperature, 0.9);
    }

    private static void publish(Mqtt5BlockingClient client, int seq, double temperature, double humidity,
            double pressure, double battery) {
        String thing = client.getConfig().getClientIdentifier().orElseThrow().toString();
        String reading = String.format(Locale.ROOT, "{\"deviceId\":\"%s\",\"seq\":%d,\"ts\":\"2026-11-29T21:00:00Z\","
                + "\"temperature\":%.2f,\"humidity\":%.2f,\"pressure\":%.2f,\"battery\":%.3f}",
                thing, seq, temperature, humidity, pressure, battery);
        client.publishWith().topic("devices/" + thing + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload(reading.getBytes(StandardCharsets.UTF_8)).send();
    }

    private static Mqtt5Publish receive(Mqtt5BlockingClient.Mqtt5Publishes publishes) throws InterruptedException {
        Optional<Mqtt5Publish> message = publishes.receive(15, TimeUnit.SECONDS);
        assertThat(message).as("a message on thing-2's subscriptions").isPresent();
        return message.get();
    }

    /** Types into the message form and submits it with the keyboard-reachable Send button. */
    private static void send(String message, String deviceId) {
        WebElement text = browser.findElement(By.id("message-text"));
        text.clear();
        text.sendKeys(message);
        WebElement device = browser.findElement(By.id("message-device"));
        device.clear();
        device.sendKeys(deviceId);
        browser.findElement(By.id("send")).click();
    }

    /** Types into the device filter and submits it. */
    private static void watch(String devices) {
        WebElement field = browser.findElement(By.id("watch-devices"));
        field.clear();
        field.sendKeys(devices);
        browser.findElement(By.id("watch")).click();
    }

    private static Object js(String script) {
        return browser.executeScript(script);
    }

    private static void awaitState(String expected) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                js("return window.edgewireDashboard ? edgewireDashboard.state : 'loading'")).isEqualTo(expected));
    }

    @SuppressWarnings("unchecked")
    private static List<String> transitions() {
        return (List<String>) js("return edgewireDashboard.transitions()");
    }

    private static boolean drawn(String deviceId, int seq) {
        return js("return edgewireDashboard.drawnAt('" + deviceId + "', " + seq + ") ?? null") != null;
    }

    /** The non-null y values of one series, as the chart holds them. */
    @SuppressWarnings("unchecked")
    private static List<Double> chartValues(String metric, String deviceId) {
        List<Object> ys = (List<Object>) js("return edgewireDashboard.points('" + metric + "', '" + deviceId + "').y");
        return ys.stream().filter(java.util.Objects::nonNull).map(v -> ((Number) v).doubleValue()).toList();
    }

    private static String cell(String deviceId, String column) {
        return browser.findElement(By.cssSelector("#devices tr[data-device='" + deviceId + "'] ." + column)).getText();
    }

    private static String logText() {
        return browser.findElement(By.id("log")).getText();
    }

    /** Whether a message envelope (not the page's own note of what it sent) with this text is in the log. */
    private static boolean messageEnvelopeLogged(String message) {
        return messageEnvelopeFrom(message).isPresent();
    }

    /** The sender's connection id of the logged message envelope with this text ("<connectionId>: <message>"). */
    private static Optional<String> messageEnvelopeFrom(String message) {
        @SuppressWarnings("unchecked")
        List<Map<String, String>> log = (List<Map<String, String>>) js("return edgewireDashboard.log()");
        return log.stream().filter(e -> "message".equals(e.get("kind")) && e.get("text").endsWith(": " + message))
                .findFirst().map(e -> e.get("text").substring(0, e.get("text").indexOf(": ")));
    }

    /** The page's connection id: the {@code from} of the message envelope it gets back for its own message. */
    private static String pageConnectionId() {
        String nonce = "who am i " + System.nanoTime();
        send(nonce, "");
        await().atMost(Duration.ofSeconds(10)).until(() -> messageEnvelopeLogged(nonce));
        return messageEnvelopeFrom(nonce).orElseThrow();
    }

    private static ApiGatewayManagementApiClient managementApi() {
        return ManagementApi.client(cloud);
    }
}
