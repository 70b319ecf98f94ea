package dev.edgewire.device.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.edgewire.device.cloud.Target;
import dev.edgewire.standins.net.FreePorts;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.device.testing.TlsBroker;
import dev.edgewire.device.tls.TlsMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MqttTransport} in each MQTT version against a real broker: what a session sends and
 * acknowledges, and which {@link TransportException} names each way it fails.
 */
class MqttTransportIT {

    @TempDir
    static Path dir;

    static LocalPki pki;
    static TlsBroker broker;
    static LocalPki.Identity device;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = LocalPki.openOrCreate(dir.resolve("edge"));
        broker = new TlsBroker(pki, dir).start();
        device = pki.thing("thing-1");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    private static MqttTransport transport(int version, String clientId, LocalPki.Identity identity, int port) {
        Target target = new Target("localhost", port, 1, "thing-1", null, pki.ca().certificateFile(), identity.certificateFile(),
                identity.privateKeyFile(), null, null);
        return new MqttTransport(target, clientId, TlsMaterial.forTarget(target),
                new MqttSettings(version, false, 0, false, 30), Backoff.standard(), System.err);
    }

    private static MqttTransport reconnecting(int version, String clientId) {
        Target target = new Target("localhost", broker.port(), 1, "thing-1", null, pki.ca().certificateFile(),
                device.certificateFile(), device.privateKeyFile(), null, null);
        MqttTransport transport = new MqttTransport(target, clientId, TlsMaterial.forTarget(target),
                new MqttSettings(version, false, 0, true, 30), Backoff.standard(), System.err);
        transport.connect();
        return transport;
    }

    @org.junit.jupiter.api.Test
    void mqtt5_aClientWhoseSessionAnotherTakes_stopsAndSaysSo_insteadOfTakingItBack() throws Exception {
        try (MqttTransport first = reconnecting(5, "twin-5"); MqttTransport second = reconnecting(5, "twin-5")) {
            SessionTakenOverException taken = first.takeover().get(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(taken).hasMessageContaining("client id twin-5").hasMessageContaining("0x8E");
            assertThatThrownBy(() -> first.publish("sessions/twin", utf8("x"), 1)).isSameAs(taken);
            Thread.sleep(1_500); // the first does not come back for the session
            second.publishAndAwait("sessions/twin", utf8("still mine"), 1, Duration.ofSeconds(10));
            assertThat(second.takeover()).isNotDone();
        }
    }

    @org.junit.jupiter.api.Test
    void mqtt311_twoClientsWithOneClientId_stopFightingOverTheSession() throws Exception {
        try (MqttTransport a = reconnecting(3, "twin-3"); MqttTransport b = reconnecting(3, "twin-3")) {
            // Without reason codes the sign is connections closed right after they open, again and again.
            await().atMost(Duration.ofSeconds(45)).until(() -> a.takeover().isDone() || b.takeover().isDone());

            SessionTakenOverException taken = (a.takeover().isDone() ? a : b).takeover().join();
            assertThat(taken).hasMessageContaining("client id twin-3").hasMessageContaining("in a row");
            assertThat(a.reconnects() + b.reconnects()).isGreaterThanOrEqualTo(MqttTransport.SHORT_LIVED_IN_A_ROW);
        }
    }

    private static MqttTransport connected(int version, String clientId) {
        MqttTransport transport = transport(version, clientId, device, broker.port());
        transport.connect();
        return transport;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(ints = {5, 3})
    void aQos1Message_isAcknowledged_andReachesASubscriber(int version) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (MqttTransport subscriber = connected(version, "subscriber-" + version);
             MqttTransport publisher = connected(version, "publisher-" + version)) {
            subscriber.subscribe(List.of("sessions/" + version + "/#"), 1, (topic, payload) -> received.add(topic + " " + payload));

            publisher.publishAndAwait("sessions/" + version + "/a", utf8("hello"), 1, Duration.ofSeconds(10));

            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("sessions/" + version + "/a hello"));
            assertThat(publisher.protocol()).isEqualTo(version == 5 ? "mqtt5" : "mqtt3.1.1");
        }
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(ints = {5, 3})
    void aRefusedTopicFilter_failsWithSubscribeRefused(int version) {
        try (MqttTransport subscriber = connected(version, "refused-subscriber-" + version)) {
            assertThatThrownBy(() -> subscriber.subscribe(List.of(TlsBroker.REFUSED_PREFIX + "x"), 1, (topic, payload) -> { }))
                    .isInstanceOf(SubscribeRefusedException.class)
                    .hasMessageStartingWith("Subscribe to forbidden/x failed: the broker refused the subscription to forbidden/x");
        }
    }

    @Test
    void mqtt5_aPubackWithAnErrorReason_failsThePublishWithPublishRefused() {
        try (MqttTransport publisher = connected(5, "refused-publisher-5")) {
            assertThat(publisher.publish(TlsBroker.REFUSED_PREFIX + "x", utf8("no"), 1))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(PublishRefusedException.class)
                    .withMessageContaining("PUBACK NOT_AUTHORIZED");
        }
    }

    @Test
    void mqtt311_aRefusedPublish_closesTheConnection_andIsNotAcknowledged() {
        // A 3.1.1 PUBACK has no reason code: a broker that will not take a message closes the connection.
        try (MqttTransport publisher = connected(3, "refused-publisher-3")) {
            assertThatThrownBy(() -> publisher.publishAndAwait(TlsBroker.REFUSED_PREFIX + "x", utf8("no"), 1,
                    Duration.ofSeconds(10)))
                    .isInstanceOf(NotAcknowledgedException.class)
                    .hasMessageStartingWith("Publish to forbidden/x failed: ");
        }
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(ints = {5, 3})
    void aClientCertificateFromAnotherCa_failsWithNotAuthorized(int version) throws Exception {
        LocalPki.Identity stranger = LocalPki.openOrCreate(dir.resolve("rogue-" + version).resolve("rogue")).thing("thing-1");
        try (MqttTransport transport = transport(version, "stranger-" + version, stranger, broker.port())) {
            assertThatThrownBy(transport::connect)
                    .isInstanceOf(NotAuthorizedException.class)
                    .hasMessageContaining("client certificate").hasMessageContaining(stranger.certificateFile().toString());
        }
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(ints = {5, 3})
    void nothingListening_failsWithUnreachable(int version) throws Exception {
        try (MqttTransport transport = transport(version, "nowhere-" + version, device, FreePorts.pick())) {
            assertThatThrownBy(transport::connect)
                    .isInstanceOf(UnreachableException.class)
                    .hasMessageStartingWith("Nothing answers at MQTT localhost:");
        }
    }
}
