package dev.edgewire.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.device.testing.Cli;
import dev.edgewire.device.testing.Seqs;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.device.testing.TlsHttpsEndpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real HTTPS publish endpoint that requires a client certificate from its CA. */
class HttpsPublishIT {

    @TempDir
    static Path dir;

    static LocalPki pki;
    static LocalPki.Identity thing;
    TlsHttpsEndpoint endpoint;

    @BeforeAll
    static void pki() throws Exception {
        pki = LocalPki.openOrCreate(dir.resolve("edge"));
        thing = pki.thing("thing-1");
    }

    @BeforeEach
    void startEndpoint() throws Exception {
        endpoint = new TlsHttpsEndpoint(pki).start();
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.close();
    }

    List<String> target(LocalPki.Identity identity, String ca) {
        return List.of("--protocol", "https", "--endpoint", "localhost", "--https-port", String.valueOf(endpoint.port()),
                "--ca", ca, "--cert", identity.certificateFile().toString(), "--key", identity.privateKeyFile().toString(),
                "--thing", "thing-1");
    }

    @Test
    void publish_postsToTheUrlEncodedTopic_withQos1_andReportsTheAcknowledgement() {
        Cli.Result result = Cli.run(target(thing, pki.ca().certificateFile().toString()), "publish", "--message", "{\"hello\":\"https\"}");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("to devices/thing-1/telemetry over https (QoS 1), acknowledged");
        assertThat(endpoint.messages()).containsExactly(
                new TlsHttpsEndpoint.Message("devices/thing-1/telemetry", "qos=1", "{\"hello\":\"https\"}"));
    }

    @Test
    void simulate_reusesOneKeptAliveConnection_forEveryReading() throws Exception {
        Cli.Result result = Cli.run(target(thing, pki.ca().certificateFile().toString()), "simulate", "--count", "40", "--rate", "400",
                "--outbox", dir.resolve("reuse.db").toString(), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = DeviceJson.MAPPER.readTree(result.out());
        assertThat(summary.path("acked").asLong()).isEqualTo(40);
        assertThat(summary.path("protocol").asText()).isEqualTo("https");
        assertThat(Seqs.of("thing-1", endpoint.messages().stream().map(TlsHttpsEndpoint.Message::body).toList()))
                .isEqualTo(Seqs.range(0, 40));
        assertThat(endpoint.clientPorts()).hasSize(1);
    }

    @Test
    void newConnectionPerMessage_opensOneConnectionForEachReading() {
        Cli.Result result = Cli.run(target(thing, pki.ca().certificateFile().toString()), "simulate", "--count", "15",
                "--rate", "400", "--new-connection-per-message", "--outbox", dir.resolve("fresh.db").toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(endpoint.messages()).hasSize(15);
        assertThat(endpoint.clientPorts().size()).isGreaterThanOrEqualTo(15);
    }

    @Test
    void aNon2xxAnswer_isReportedWithTheServersBody() {
        Cli.Result result = Cli.run(target(thing, pki.ca().certificateFile().toString()), "publish", "--topic", "forbidden/topic",
                "--message", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(result.err()).contains("HTTPS 403 from /topics/forbidden%2Ftopic: {\"message\":\"Forbidden\",\"traceId\":");
    }

    @Test
    void aServerNotSignedByTheGivenCa_isRejected_withAClearMessage() throws Exception {
        LocalPki other = LocalPki.openOrCreate(dir.resolve("other").resolve("other"));

        Cli.Result result = Cli.run(target(thing, other.ca().certificateFile().toString()), "publish", "--message", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("the server's certificate is not signed by the trusted CA");
        assertThat(endpoint.messages()).isEmpty();
    }

    @Test
    void aClientCertificateFromAnotherCa_isRejectedByTheServer_withAClearMessage() throws Exception {
        LocalPki.Identity stranger = LocalPki.openOrCreate(dir.resolve("rogue").resolve("rogue")).thing("thing-1");

        Cli.Result result = Cli.run(target(stranger, pki.ca().certificateFile().toString()), "publish", "--message", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("client certificate").contains(stranger.certificateFile().toString());
        assertThat(endpoint.messages()).isEmpty();
    }

    @Test
    void noClientCertificate_isRefusedBeforeConnecting() {
        List<String> args = new ArrayList<>(target(thing, pki.ca().certificateFile().toString()));
        int cert = args.indexOf("--cert");
        args.subList(cert, cert + 4).clear();

        Cli.Result result = Cli.run(args, "publish", "--message", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("No client certificate");
        assertThat(endpoint.clientPorts()).isEqualTo(Set.of());
    }
}
