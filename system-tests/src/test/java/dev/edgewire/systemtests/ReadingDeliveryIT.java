package dev.edgewire.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.edgewire.systemtests.clients.Device;
import dev.edgewire.systemtests.clients.HttpsDevice;
import dev.edgewire.systemtests.clients.Readings;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.target.Deployment;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A reading a device publishes, over MQTT or over HTTPS, reaches the people watching the stage as a
 * {@code {"type":"telemetry",...}} envelope: IoT rule, fan-out function, {@code @connections}.
 */
@ContractTest
class ReadingDeliveryIT {

    /** Time for the fan-out's list of connections to include a new one; it may lag by its cache TTL. */
    private static final Duration REPUBLISH_EVERY = Duration.ofSeconds(1);

    @Test
    void aReadingPublishedOverMqtt_reachesAWebSocketClient_asATelemetryEnvelope(Deployment deployment) throws Exception {
        String thing = deployment.thingName();
        String topic = "devices/" + thing + "/telemetry";
        long publishedFrom = Instant.now().minusSeconds(300).toEpochMilli();
        try (Watcher watcher = Watcher.connect(deployment.stage(deployment.token()), deployment.patience());
                Device device = Device.connect(deployment)) {

            JsonNode envelope = publishUntilDelivered(deployment, watcher, (seq, probe) -> {
                Mqtt5PublishResult result = device.publish(topic, Readings.reading(thing, seq, probe).toString());
                assertThat(result.getError()).as("PUBACK of a reading on %s", topic).isEmpty();
            });

            assertThat(envelope.path("deviceId").asText()).isEqualTo(thing);
            assertThat(envelope.path("topic").asText()).isEqualTo(topic);
            assertThat(envelope.path("receivedAt").isNumber()).as("receivedAt is epoch ms: %s", envelope).isTrue();
            assertThat(envelope.path("receivedAt").asLong()).isBetween(publishedFrom, Instant.now().plusSeconds(300).toEpochMilli());
            JsonNode reading = envelope.path("reading");
            assertThat(reading.path("temperature").asDouble()).isEqualTo(22.4);
            assertThat(reading.path("humidity").asDouble()).isEqualTo(41.2);
            assertThat(reading.path("pressure").asDouble()).isEqualTo(1012.8);
            assertThat(reading.path("battery").asDouble()).isEqualTo(0.93);
            assertThat(reading.path("seq").isIntegralNumber()).isTrue();
        }
    }

    @Test
    void aReadingPublishedOverHttps_isAnsweredAsIotCoreAnswers_andReachesAWebSocketClient(Deployment deployment)
            throws Exception {
        String thing = deployment.thingName();
        String topic = "devices/" + thing + "/telemetry";
        try (Watcher watcher = Watcher.connect(deployment.stage(deployment.token()), deployment.patience());
                HttpsDevice device = HttpsDevice.of(deployment)) {

            JsonNode envelope = publishUntilDelivered(deployment, watcher, (seq, probe) -> {
                HttpResponse<String> response = device.publish(topic, Readings.reading(thing, seq, probe).toString());
                assertThat(response.statusCode()).as("HTTPS publish answered %s", response.body()).isEqualTo(200);
                JsonNode body = Watcher.JSON.readTree(response.body());
                assertThat(body.path("message").asText()).isEqualTo("OK");
                assertThat(body.path("traceId").asText()).isNotBlank();
            });

            assertThat(envelope.path("deviceId").asText()).isEqualTo(thing);
            assertThat(envelope.path("topic").asText()).isEqualTo(topic);
            assertThat(envelope.path("reading").path("temperature").asDouble()).isEqualTo(22.4);
        }
    }

    @Test
    void aReadingThatClaimsAnotherDevicesName_reachesWatchersUnderTheNameOfItsTopic(Deployment deployment) throws Exception {
        String thing = deployment.thingName();
        String topic = "devices/" + thing + "/telemetry";
        try (Watcher watcher = Watcher.connect(deployment.stage(deployment.token()), deployment.patience());
                Device device = Device.connect(deployment)) {

            JsonNode envelope = publishUntilDelivered(deployment, watcher, (seq, probe) ->
                    device.publish(topic, Readings.reading(thing + "-impostor", seq, probe).toString()));

            assertThat(envelope.path("deviceId").asText())
                    .as("the device the policy let publish on %s, whatever the payload says", topic).isEqualTo(thing);
        }
    }

    /**
     * Publishes one reading at a time, each with a new probe, until the watcher has one of them, and returns its
     * envelope. A publish the target refuses fails at once.
     */
    private static JsonNode publishUntilDelivered(Deployment deployment, Watcher watcher, Publisher publisher) {
        Set<String> sent = ConcurrentHashMap.newKeySet();
        AtomicLong seq = new AtomicLong();
        try {
            return await().atMost(deployment.patience()).pollDelay(Duration.ZERO).pollInterval(REPUBLISH_EVERY)
                    .until(() -> {
                        Optional<JsonNode> delivered = watcher.find(e -> sent.stream().anyMatch(p -> Readings.carries(e, p)));
                        if (delivered.isEmpty()) {
                            String probe = Readings.newProbe();
                            sent.add(probe);
                            publisher.publish(seq.getAndIncrement(), probe);
                        }
                        return delivered;
                    }, Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("None of the readings " + sent + " reached the WebSocket client within "
                    + deployment.patience().toSeconds() + " s; it got " + watcher.envelopes(), e);
        }
    }

    @FunctionalInterface
    private interface Publisher {
        void publish(long seq, String probe) throws Exception;
    }
}
