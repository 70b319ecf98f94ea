package dev.edgewire.local.mqtt;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.edgewire.local.pki.LocalPki;
import dev.edgewire.local.pki.TestTls;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** MQTT 5 clients over mutual TLS, as a device builds them, for the integration tests. */
public final class TestMqttClients {

    private TestMqttClients() {
    }

    public static Mqtt5BlockingClient client(int port, String clientId, LocalPki pki, LocalPki.Identity identity)
            throws Exception {
        KeyManagerFactory kmf = TestTls.keyManagers(identity);
        TrustManagerFactory tmf = TestTls.trustManagers(pki);
        return Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .sslConfig(MqttClientSslConfig.builder().keyManagerFactory(kmf).trustManagerFactory(tmf).build())
                .buildBlocking();
    }
}
