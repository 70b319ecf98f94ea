package dev.edgewire.local.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.standins.mqtt.MqttTestClients;
import dev.edgewire.standins.net.FreePorts;
import dev.edgewire.standins.pki.LocalPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local broker over real mutual TLS, with the thing policy applied. */
class LocalBrokerIT {

    @TempDir
    static Path dir;
    static LocalPki pki;
    static LocalBroker broker;
    static final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pki = LocalPki.openOrCreate(dir.resolve("pki"));
        broker = new LocalBroker(dir.resolve("broker"), pki, "127.0.0.1", FreePorts.pick(),
                (clientId, topic, payload) -> seen.add(clientId + " " + topic + " " + new String(payload, StandardCharsets.UTF_8)),
                new CostMeter());
        broker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aThing_publishesItsTelemetry_andTheListenerSeesIt() throws Exception {
        var client = MqttTestClients.client(broker.port(), "thing-1", pki, pki.thing("thing-1"));
        client.connect();
        try {
            client.publishWith().topic("devices/thing-1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{\"seq\":1}".getBytes(StandardCharsets.UTF_8)).send();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> seen.contains("thing-1 devices/thing-1/telemetry {\"seq\":1}"));
        } finally {
            client.disconnect();
        }
    }

    @Test
    void aSecondClientWithTheSameClientId_takesTheSession_andLocalModeLogsIt() throws Exception {
        java.io.StringWriter log = new java.io.StringWriter();
        org.apache.logging.log4j.core.Logger logger =
                (org.apache.logging.log4j.core.Logger) org.apache.logging.log4j.LogManager.getLogger(MqttMetering.class);
        org.apache.logging.log4j.core.appender.WriterAppender capture = org.apache.logging.log4j.core.appender.WriterAppender
                .newBuilder().setName("takeover-capture").setTarget(log)
                .setLayout(org.apache.logging.log4j.core.layout.PatternLayout.newBuilder().setPattern("%level %msg%n").build())
                .build();
        capture.start();
        logger.addAppender(capture);
        var first = MqttTestClients.client(broker.port(), "thing-2", pki, pki.thing("thing-2"));
        var second = MqttTestClients.client(broker.port(), "thing-2", pki, pki.thing("thing-2"));
        try {
            first.connect();
            second.connect();

            await().atMost(Duration.ofSeconds(10)).until(() -> log.toString()
                    .contains("WARN thing-2: another client connected with this client id and took its session"));
            assertThat(first.getState().isConnected()).as("the first client, whose session was taken").isFalse();
            assertThat(second.getState().isConnected()).isTrue();
        } finally {
            logger.removeAppender(capture);
            capture.stop();
            second.disconnect();
        }
    }

    @Test
    void aClientIdOtherThanTheCertificatesThingName_isRefused() throws Exception {
        var client = MqttTestClients.client(broker.port(), "thing-2", pki, pki.thing("thing-1"));

        assertThatThrownBy(client::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    }

    @Test
    void aCertificateFromAnotherCa_failsTheTlsHandshake() throws Exception {
        var client = MqttTestClients.client(broker.port(), "thing-1", pki, LocalPki.foreignClient("thing-1"));

        assertThatThrownBy(client::connect).isNotInstanceOf(Mqtt5ConnAckException.class);
    }

    @Test
    void publishingToAnotherThingsTopic_isRefusedWithNotAuthorized_andNotDelivered() throws Exception {
        var client = MqttTestClients.client(broker.port(), "thing-1", pki, pki.thing("thing-1"));
        client.connect();
        try {
            assertThatThrownBy(() -> client.publishWith().topic("devices/thing-2/telemetry")
                    .qos(MqttQos.AT_LEAST_ONCE).payload("{}".getBytes(StandardCharsets.UTF_8)).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
            assertThat(seen).noneMatch(s -> s.contains("devices/thing-2/telemetry"));
        } finally {
            // The broker may also drop a client that breaks its policy, as IoT Core does, at any moment
            // after the PUBACK: between a check of the state and the disconnect too.
            try {
                client.disconnect();
            } catch (com.hivemq.client.mqtt.exceptions.MqttClientStateException alreadyDropped) {
                // dropped by the broker
            }
        }
    }

    @Test
    void subscribingOutsideThePolicy_isRefused_butItsOwnTopicsWork() throws Exception {
        var client = MqttTestClients.client(broker.port(), "thing-1", pki, pki.thing("thing-1"));
        client.connect();
        try {
            assertThatThrownBy(() -> client.subscribeWith().topicFilter("devices/+/commands").send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));

            try (var publishes = client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
                client.subscribeWith().topicFilter("devices/thing-1/commands").qos(MqttQos.AT_LEAST_ONCE).send();
                broker.publish("devices/thing-1/commands", "reboot".getBytes(StandardCharsets.UTF_8), 1)
                        .get(5, TimeUnit.SECONDS);
                Mqtt5Publish received = publishes.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(received.getTopic().toString()).isEqualTo("devices/thing-1/commands");
                assertThat(new String(received.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("reboot");
            }
        } finally {
            client.disconnect();
        }
    }
}
