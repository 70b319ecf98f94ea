package dev.edgewire.standins.mqtt;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.edgewire.standins.pki.LocalPki;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** MQTT 5 clients over mutual TLS, as a device builds them, for tests and benchmarks. */
public final class MqttTestClients {

    private MqttTestClients() {
    }

    /** A client of the broker on loopback {@code port} that trusts {@code pki}'s CA and presents {@code identity}. */
    public static Mqtt5BlockingClient client(int port, String clientId, LocalPki pki, LocalPki.Identity identity)
            throws GeneralSecurityException, IOException {
        return Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .sslConfig(MqttClientSslConfig.builder()
                        .keyManagerFactory(LocalPki.keyManagers(identity))
                        .trustManagerFactory(pki.trustManagers())
                        .build())
                .buildBlocking();
    }
}
