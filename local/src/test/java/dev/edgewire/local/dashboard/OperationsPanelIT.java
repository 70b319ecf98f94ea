package dev.edgewire.local.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.edgewire.contract.Metrics;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.standins.clients.WsClient;
import dev.edgewire.standins.mqtt.MqttTestClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations panel's endpoint against a running local mode: while a device publishes to two
 * watchers, {@code /operations.json} shows readings in and delivered per second, the audience and a lag,
 * all read from the metrics documents the in-process functions wrote.
 */
class OperationsPanelIT {

    @TempDir
    static Path state;
    static LocalCloud cloud;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        cloud = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1")));
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void whileReadingsFlowToTwoWatchers_thePanelShowsThemInAndDelivered_andTwoConnections() throws Exception {
        URI stage = URI.create(cloud.outputs().get("WebSocketUrl") + "/demo?token=" + cloud.token());
        try (WsClient alice = WsClient.connect(stage); WsClient bob = WsClient.connect(stage)) {
            Thread.sleep(1_100); // the fan-out's cache of connections
            Mqtt5BlockingClient device = MqttTestClients.client(cloud.mqttPort(), "thing-1", cloud.pki(),
                    cloud.things().get("thing-1"));
            device.connect();
            AtomicReference<JsonNode> figures = new AtomicReference<>();
            try {
                int[] seq = {0};
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    // A reading every 100 ms, so the rates over the last seconds are never empty.
                    device.publishWith().topic("devices/thing-1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                            .payload(("{\"deviceId\":\"thing-1\",\"seq\":" + seq[0]++ + ",\"temperature\":21.5}")
                                    .getBytes(StandardCharsets.UTF_8))
                            .send();
                    JsonNode now = operations();
                    figures.set(now);
                    return now.get("readingsInPerSecond").asDouble() > 0
                            && now.get("readingsDeliveredPerSecond").asDouble() > 0
                            && now.get("connections").asInt() == 2;
                });
            } finally {
                device.disconnect();
            }
            alice.next("\"type\":\"telemetry\"");
            bob.next("\"type\":\"telemetry\"");

            JsonNode shown = figures.get();
            assertThat(shown.get("stage").asText()).isEqualTo("demo");
            assertThat(shown.get("fanOutLagMs").isNumber()).isTrue();
            assertThat(shown.get("postsFailed").asLong()).isZero();
            JsonNode totals = shown.get("totals");
            // Every reading reached both watchers: twice as many delivered as in.
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                JsonNode now = operations().get("totals");
                return now.get(Metrics.READINGS_DELIVERED).asDouble() == 2 * now.get(Metrics.READINGS_IN).asDouble();
            });
            assertThat(totals.get(Metrics.READINGS_IN).asDouble()).isPositive();
            // The two WebSocket connections were allowed by the authorizer, whose metrics land here too.
            assertThat(totals.get(Metrics.AUTHORIZER_ALLOW).asDouble()).isGreaterThanOrEqualTo(2);
        }
    }

    private static JsonNode operations() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(cloud.dashboardUrl().resolve("/operations.json"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        return JSON.readTree(response.body());
    }
}
