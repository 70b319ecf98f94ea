package dev.edgewire.device.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.device.cloud.Target;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.device.tls.TlsMaterial;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client offers in the TLS handshake's ALPN extension, seen by a real TLS server: AWS
 * IoT Core on port 443 routes by it ({@code x-amzn-mqtt-ca}, {@code x-amzn-http-ca}).
 */
class AlpnIT {

    @TempDir
    Path dir;

    /** Accepts connections until closed; completes with what the first handshake offered (empty for no ALPN). */
    private CompletableFuture<List<String>> serverRecordingAlpn(SSLServerSocket server) {
        CompletableFuture<List<String>> offered = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.setHandshakeApplicationProtocolSelector((engine, protocols) -> {
                        offered.complete(List.copyOf(protocols));
                        return protocols.isEmpty() ? "" : protocols.get(0);
                    });
                    socket.startHandshake();
                    offered.complete(List.of());
                } catch (Exception e) {
                    // Closed, or the client gave up once it saw no broker here; the offer is what counts.
                }
            }
        });
        return offered;
    }

    private SSLServerSocket tlsServer(LocalPki pki) throws Exception {
        return (SSLServerSocket) pki.serverContext().getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress());
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(ints = {5, 3})
    void mqtt_offersXAmznMqttCa_whereRegistered(int version) throws Exception {
        LocalPki pki = LocalPki.openOrCreate(dir.resolve("alpn"));
        LocalPki.Identity device = pki.thing("thing-1");
        try (SSLServerSocket server = tlsServer(pki)) {
            CompletableFuture<List<String>> offered = serverRecordingAlpn(server);
            AlpnTls.install("localhost", server.getLocalPort(), "x-amzn-mqtt-ca");
            Target target = new Target("localhost", server.getLocalPort(), 1, "thing-1", null, pki.ca().certificateFile(),
                    device.certificateFile(), device.privateKeyFile(), null, null);
            MqttSettings settings = new MqttSettings(version, false, 0, false, 30);
            try (MqttTransport mqtt = new MqttTransport(target, "thing-1", TlsMaterial.forTarget(target), settings,
                    Backoff.standard(), System.err)) {
                assertThatThrownBy(mqtt::connect).isInstanceOf(TransportException.class);
            }
            assertThat(offered.get(20, TimeUnit.SECONDS)).containsExactly("x-amzn-mqtt-ca");
        }
    }

    @Test
    void mqtt_offersNoAlpn_elsewhere() throws Exception {
        LocalPki pki = LocalPki.openOrCreate(dir.resolve("plain"));
        LocalPki.Identity device = pki.thing("thing-1");
        try (SSLServerSocket server = tlsServer(pki)) {
            CompletableFuture<List<String>> offered = serverRecordingAlpn(server);
            Target target = new Target("localhost", server.getLocalPort(), 1, "thing-1", null, pki.ca().certificateFile(),
                    device.certificateFile(), device.privateKeyFile(), null, null);
            try (MqttTransport mqtt = new MqttTransport(target, "thing-1", TlsMaterial.forTarget(target),
                    new MqttSettings(5, false, 0, false, 30), Backoff.standard(), System.err)) {
                assertThatThrownBy(mqtt::connect).isInstanceOf(TransportException.class);
            }
            assertThat(offered.get(20, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void https_offersXAmznHttpCa_whereRegistered() throws Exception {
        LocalPki pki = LocalPki.openOrCreate(dir.resolve("alpn-https"));
        LocalPki.Identity device = pki.thing("thing-1");
        try (SSLServerSocket server = tlsServer(pki)) {
            CompletableFuture<List<String>> offered = serverRecordingAlpn(server);
            AlpnTls.install("localhost", server.getLocalPort(), "x-amzn-http-ca");
            Target target = new Target("localhost", 1, server.getLocalPort(), "thing-1", null, pki.ca().certificateFile(),
                    device.certificateFile(), device.privateKeyFile(), null, null);
            try (HttpsTransport https = new HttpsTransport(target, TlsMaterial.forTarget(target), true)) {
                assertThatThrownBy(https::connect).isInstanceOf(TransportException.class);
            }
            assertThat(offered.get(20, TimeUnit.SECONDS)).containsExactly("x-amzn-http-ca");
        }
    }
}
