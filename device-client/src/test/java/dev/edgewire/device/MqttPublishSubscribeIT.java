package dev.edgewire.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.device.testing.Cli;
import dev.edgewire.device.testing.Seqs;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.device.testing.TlsBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI against a real broker that speaks TLS only and requires a client certificate from its CA. */
class MqttPublishSubscribeIT {

    @TempDir
    static Path dir;

    static LocalPki pki;
    static TlsBroker broker;
    static LocalPki.Identity thing;
    static LocalPki.Identity watcher;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = LocalPki.openOrCreate(dir.resolve("edge"));
        broker = new TlsBroker(pki, dir).start();
        thing = pki.thing("thing-1");
        watcher = pki.thing("watcher");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    static List<String> target(LocalPki.Identity identity) {
        return target(identity, "thing-1");
    }

    static List<String> target(LocalPki.Identity identity, String thingName) {
        return List.of("--endpoint", "localhost", "--mqtt-port", String.valueOf(broker.port()),
                "--ca", pki.ca().certificateFile().toString(), "--cert", identity.certificateFile().toString(),
                "--key", identity.privateKeyFile().toString(), "--thing", thingName);
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(strings = {"5", "3"})
    void publish_reachesASubscriber_onTheTelemetryTopic(String version) {
        String message = "{\"hello\":\"over mqtt " + version + "\"}";
        Cli.Running subscriber = Cli.start(target(watcher), "subscribe", "--client-id", "watcher-" + version,
                "--mqtt-version", version, "--topic", "devices/thing-1/telemetry", "--count", "1", "--timeout", "30s");
        await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.err.toString().contains("subscribed to"));

        Cli.Result published = Cli.run(target(thing), "publish", "--mqtt-version", version, "--message", message);

        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(published.out()).contains("to devices/thing-1/telemetry over mqtt");
        Cli.Result received = subscriber.result.join();
        assertThat(received.exitCode()).as(received.err()).isZero();
        assertThat(received.out()).isEqualTo("devices/thing-1/telemetry\t" + message + System.lineSeparator());
    }

    @Test
    void subscribe_defaultsToTheThingsCommandsAndGeneralOutbound() {
        Cli.Running subscriber = Cli.start(target(thing), "subscribe", "--client-id", "thing-1-listener",
                "--count", "2", "--timeout", "30s", "--json");
        await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.err.toString().contains("subscribed to"));
        assertThat(subscriber.err.toString()).contains("devices/thing-1/commands, general/outbound");

        assertThat(Cli.run(target(watcher), "publish", "--topic", "devices/thing-1/commands", "--message", "turn left").exitCode()).isZero();
        assertThat(Cli.run(target(watcher), "publish", "--topic", "general/outbound", "--message", "hello all").exitCode()).isZero();

        Cli.Result received = subscriber.result.join();
        assertThat(received.exitCode()).isZero();
        assertThat(received.out()).contains("{\"topic\":\"devices/thing-1/commands\",\"payload\":\"turn left\"}")
                .contains("{\"topic\":\"general/outbound\",\"payload\":\"hello all\"}");
    }

    @Test
    void simulate_deliversEverySeq_andSummarisesAsJson() throws Exception {
        Cli.Result result = Cli.run(target(thing, "sim-json"), "simulate", "--count", "200", "--rate", "400",
                "--outbox", dir.resolve("simulate.db").toString(), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = DeviceJson.MAPPER.readTree(result.out());
        assertThat(summary.path("generated").asLong()).isEqualTo(200);
        assertThat(summary.path("acked").asLong()).isEqualTo(200);
        assertThat(summary.path("pending").asLong()).isZero();
        assertThat(summary.path("p99Millis").asDouble()).isPositive();
        List<String> payloads = broker.received().stream().filter(r -> r.topic().equals("devices/sim-json/telemetry"))
                .map(TlsBroker.Received::payload).toList();
        assertThat(Seqs.of("sim-json", payloads)).isEqualTo(Seqs.range(0, 200));
    }

    @Test
    void simulate_withQos0_overMqtt311_sendsEveryReading() throws Exception {
        Cli.Result result = Cli.run(target(thing, "sim-qos0"), "simulate", "--qos", "0", "--mqtt-version", "3",
                "--count", "50", "--rate", "200", "--outbox", dir.resolve("qos0.db").toString(), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(DeviceJson.MAPPER.readTree(result.out()).path("protocol").asText()).isEqualTo("mqtt3.1.1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Seqs.of("sim-qos0", broker.received().stream()
                .filter(r -> r.topic().equals("devices/sim-qos0/telemetry")).map(TlsBroker.Received::payload).toList()))
                .isEqualTo(Seqs.range(0, 50)));
    }

    @Test
    void simulate_replaysTheBundledDataset_overSeveralDevices() throws Exception {
        Cli.Result result = Cli.run(target(thing), "simulate", "--devices", "3", "--device-prefix", "csv-",
                "--dataset", "bundled", "--count", "20", "--rate", "100",
                "--outbox", dir.resolve("csv.db").toString(), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        for (String device : List.of("csv-1", "csv-2", "csv-3")) {
            List<String> payloads = broker.received().stream()
                    .filter(r -> r.topic().equals("devices/" + device + "/telemetry"))
                    .map(TlsBroker.Received::payload).toList();
            assertThat(Seqs.of(device, payloads)).isEqualTo(Seqs.range(0, 20));
            assertThat(broker.received().stream().filter(r -> r.clientId().equals(device))).isNotEmpty();
        }
        assertThat(broker.received().stream().filter(r -> r.topic().equals("devices/csv-1/telemetry")).findFirst()
                .orElseThrow().payload()).contains("\"temperature\":17.5,\"humidity\":56.7,\"pressure\":1011.8,\"battery\":0.97");
    }

    @Test
    void publish_aMessageTheBrokerRefuses_overMqtt5_exitsWithRefused() {
        Cli.Result result = Cli.run(target(thing), "publish", "--topic", TlsBroker.REFUSED_PREFIX + "x", "--message", "x");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.err()).contains("Publish to forbidden/x failed: the broker refused the message: PUBACK NOT_AUTHORIZED");
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(strings = {"5", "3"})
    void subscribe_aFilterTheBrokerRefuses_exitsWithRefused(String version) {
        Cli.Result result = Cli.run(target(watcher), "subscribe", "--client-id", "refused-watcher-" + version,
                "--mqtt-version", version, "--topic", TlsBroker.REFUSED_PREFIX + "x", "--timeout", "5s");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.err()).contains("Subscribe to forbidden/x failed: the broker refused the subscription to forbidden/x: ");
    }

    @Test
    void aServerNotSignedByTheGivenCa_isRejected_withAClearMessage() throws Exception {
        LocalPki other = LocalPki.openOrCreate(dir.resolve("other").resolve("other"));
        List<String> args = new java.util.ArrayList<>(target(thing));
        args.set(args.indexOf("--ca") + 1, other.ca().certificateFile().toString());

        Cli.Result result = Cli.run(args, "publish", "--message", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("the server's certificate is not signed by the trusted CA")
                .contains(other.ca().certificateFile().toString());
    }

    @Test
    void aClientCertificateFromAnotherCa_isRejectedByTheBroker_withAClearMessage() throws Exception {
        LocalPki rogue = LocalPki.openOrCreate(dir.resolve("rogue").resolve("rogue"));
        LocalPki.Identity stranger = rogue.thing("thing-1");

        Cli.Result result = Cli.run(target(stranger), "publish", "--message", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("client certificate").contains(stranger.certificateFile().toString());
    }

    @Test
    void noClientCertificate_isRefusedBeforeConnecting() {
        Cli.Result result = Cli.run(List.of("--endpoint", "localhost", "--mqtt-port", String.valueOf(broker.port()),
                "--ca", pki.ca().certificateFile().toString()), "publish", "--message", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("No client certificate: the target requires mutual TLS");
    }
}
