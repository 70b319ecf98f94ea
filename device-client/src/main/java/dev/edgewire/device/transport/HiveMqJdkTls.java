package dev.edgewire.device.transport;

import com.hivemq.client.internal.mqtt.mqtt3.Mqtt3ClientConfigView;
import com.hivemq.client.mqtt.MqttClientConfig;
import dev.edgewire.device.tls.TlsMaterial;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.lang.reflect.Field;
import javax.net.ssl.SSLException;

/**
 * Makes a HiveMQ MQTT client build its TLS engines with the JDK's provider, so that {@link AlpnTls}
 * can add the ALPN name AWS IoT Core needs on port 443.
 *
 * <p>The one place that reaches into the client's internals, because its public API (1.4.2) cannot
 * do this: it has no ALPN setting (hivemq/hivemq-mqtt-client#464), no choice of TLS provider (it
 * takes Netty's default, BoringSSL whenever netty-tcnative is present, whose engines do not come
 * from a JSSE provider) and no way to be handed a ready TLS context. Its internal configuration
 * holds the context it uses and keeps it across reconnects to the same address. An MQTT 3.1.1
 * client shows only a view of that configuration, whose private field is read by reflection.
 * {@code AlpnIT} fails for both MQTT versions if a client upgrade breaks this.
 */
final class HiveMqJdkTls {

    private HiveMqJdkTls() {
    }

    /** Gives the client whose configuration this is a JDK TLS context with the device's identity and trust. */
    static void install(MqttClientConfig config, TlsMaterial tls) {
        try {
            SslContext jdkTls = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(tls.trustManagers())
                    .keyManager(tls.keyManagers())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
            internal(config).setCurrentSslContext(jdkTls);
        } catch (SSLException | ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("Could not set up the JDK's TLS for ALPN: " + e, e);
        }
    }

    private static com.hivemq.client.internal.mqtt.MqttClientConfig internal(MqttClientConfig config)
            throws ReflectiveOperationException {
        if (config instanceof com.hivemq.client.internal.mqtt.MqttClientConfig mqtt5) {
            return mqtt5;
        }
        Field delegate = Mqtt3ClientConfigView.class.getDeclaredField("delegate");
        delegate.setAccessible(true);
        return (com.hivemq.client.internal.mqtt.MqttClientConfig) delegate.get(config);
    }
}
