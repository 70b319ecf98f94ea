package dev.edgewire.local.mqtt;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.edgewire.local.pki.LocalPki;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** MQTT 5 clients over mutual TLS, as a device builds them, for the integration tests. */
public final class TestMqttClients {

    private TestMqttClients() {
    }

    public static Mqtt5BlockingClient client(int port, String clientId, LocalPki pki, LocalPki.Identity identity)
            throws Exception {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("device", identity.privateKey(), password, new X509Certificate[] {identity.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(pki.trustStore());
        return Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .sslConfig(MqttClientSslConfig.builder().keyManagerFactory(kmf).trustManagerFactory(tmf).build())
                .buildBlocking();
    }
}
