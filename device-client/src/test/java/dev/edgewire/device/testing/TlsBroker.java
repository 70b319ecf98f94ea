package dev.edgewire.device.testing;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.edgewire.standins.mqtt.TlsMqttBroker;
import dev.edgewire.standins.net.FreePorts;
import dev.edgewire.standins.pki.LocalPki;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The device client's broker in tests: a {@link TlsMqttBroker} on a free loopback port (client
 * certificate required, checked against the test CA, sessions kept on disk across restarts) that
 * records every PUBLISH it receives, so a test can count what reached the broker across broker
 * restarts. Refuses topics under {@link #REFUSED_PREFIX}: subscriptions with a NOT_AUTHORIZED SUBACK,
 * messages with a NOT_AUTHORIZED PUBACK (MQTT 5).
 */
public final class TlsBroker implements AutoCloseable {

    /** Topics and filters the broker refuses. */
    public static final String REFUSED_PREFIX = "forbidden/";

    /** A PUBLISH the broker received. */
    public record Received(String clientId, String topic, String payload) {
    }

    private final TlsMqttBroker broker;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public TlsBroker(LocalPki pki, Path dir) throws Exception {
        broker = new TlsMqttBroker(dir.resolve("broker"), pki, "127.0.0.1", FreePorts.pick(),
                TlsMqttBroker.Persistence.FILE, "recorder", new Recorder());
    }

    /** Starts the broker; after {@link #stop()}, a fresh broker on the same port, configuration and data. */
    public TlsBroker start() throws Exception {
        broker.start();
        return this;
    }

    public void stop() {
        broker.close();
    }

    public int port() {
        return broker.port();
    }

    public List<Received> received() {
        return received;
    }

    @Override
    public void close() {
        broker.close();
    }

    private final class Recorder implements ExtensionMain {
        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.initializerRegistry().setClientInitializer((init, client) ->
                    client.addPublishInboundInterceptor((in, out) -> {
                        if (in.getPublishPacket().getTopic().startsWith(REFUSED_PREFIX)) {
                            out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "refused by the test broker");
                            return;
                        }
                        ByteBuffer payload = in.getPublishPacket().getPayload().orElse(ByteBuffer.allocate(0));
                        byte[] bytes = new byte[payload.remaining()];
                        payload.duplicate().get(bytes);
                        received.add(new Received(in.getClientInformation().getClientId(),
                                in.getPublishPacket().getTopic(), new String(bytes, StandardCharsets.UTF_8)));
                    }));
            Services.securityRegistry().setAuthorizerProvider(provider -> (SubscriptionAuthorizer) (in, out) -> {
                if (in.getSubscription().getTopicFilter().startsWith(REFUSED_PREFIX)) {
                    out.failAuthorization(SubackReasonCode.NOT_AUTHORIZED);
                } else {
                    out.authorizeSuccessfully();
                }
            });
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        }
    }
}
