package dev.edgewire.local.mqtt;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.local.policy.ObserverPolicy;
import dev.edgewire.local.policy.ThingPolicy;
import dev.edgewire.standins.mqtt.TlsMqttBroker;
import dev.edgewire.standins.pki.LocalPki;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stand-in for IoT Core's MQTT side: a {@link TlsMqttBroker} (client certificate signed by
 * the local CA required) with an extension that applies the thing policy (client id = certificate common name; publish and subscribe only where
 * {@link ThingPolicy} allows), and the observer's ({@link ObserverPolicy}: subscribe to every device's topics,
 * publish nothing) to the one client with the observer's certificate. Every authorised publish is handed to a {@link MessageListener}, which
 * runs the topic rules. What IoT Core would bill, messages and connection minutes, goes to the
 * {@link CostMeter} ({@link MqttMetering}).
 */
public final class LocalBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBroker.class);

    /** Sees every publish the policy let through, after authorisation. */
    @FunctionalInterface
    public interface MessageListener {
        void onPublish(String clientId, String topic, byte[] payload);
    }

    private final TlsMqttBroker broker;
    private final MessageListener listener;
    private final CostMeter meter;

    public LocalBroker(Path workDir, LocalPki pki, String host, int port, MessageListener listener, CostMeter meter) {
        this.listener = listener;
        this.meter = meter;
        // Sessions and queues live as long as local mode; devices keep their own outbox.
        this.broker = new TlsMqttBroker(workDir, pki, host, port, TlsMqttBroker.Persistence.IN_MEMORY,
                "edgewire-thing-policy", new PolicyExtension());
    }

    public int port() {
        return broker.port();
    }

    public void start() throws IOException, GeneralSecurityException {
        broker.start();
    }

    /** Publishes as the cloud does (IoT Data Plane {@code Publish}): not subject to a thing's policy. */
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        return Services.publishService().publish(Builders.publish()
                .topic(topic)
                .payload(ByteBuffer.wrap(payload))
                .qos(qos == 0 ? Qos.AT_MOST_ONCE : Qos.AT_LEAST_ONCE)
                .build());
    }

    @Override
    public void close() {
        try {
            broker.close();
        } catch (RuntimeException e) {
            LOG.warn("MQTT broker did not stop cleanly: {}", e.toString());
        }
    }

    /**
     * Applies {@link ThingPolicy}, the same rules the deployed IoT policy grants, and {@link ObserverPolicy}
     * to the observer. Authentication binds the client id to the certificate's common name, so the
     * authorizer can tell the observer by its client id.
     */
    private final class PolicyExtension implements ExtensionMain {
        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.securityRegistry().setAuthenticatorProvider(in -> (SimpleAuthenticator) this::authenticate);
            Authorizer authorizer = new Authorizer();
            Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
            MqttMetering metering = new MqttMetering(meter);
            Services.eventRegistry().setClientLifecycleEventListener(in -> metering);
            Services.initializerRegistry().setClientInitializer(metering);
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        }

        private void authenticate(SimpleAuthInput input, SimpleAuthOutput output) {
            String clientId = input.getClientInformation().getClientId();
            var certificate = input.getConnectionInformation().getClientTlsInformation()
                    .flatMap(tls -> tls.getClientCertificate());
            if (certificate.isEmpty()) {
                LOG.warn("refused connect of {}: no client certificate", clientId);
                output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "a client certificate is required");
                return;
            }
            String thing = LocalPki.commonName(certificate.get());
            if (ObserverPolicy.isObserver(thing)) {
                if (!ObserverPolicy.mayConnect(thing, clientId)) {
                    LOG.warn("refused connect: the observer's certificate with client id '{}'", clientId);
                    output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                            "the observer's client id must be " + ObserverPolicy.CLIENT_ID);
                    return;
                }
                output.authenticateSuccessfully();
                return;
            }
            if (!ThingPolicy.mayConnect(thing, clientId)) {
                LOG.warn("refused connect: client id '{}' is not the certificate's thing name '{}'", clientId, thing);
                output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                        "client id must be the thing name of the certificate (" + thing + ")");
                return;
            }
            output.authenticateSuccessfully();
        }
    }

    private final class Authorizer implements PublishAuthorizer, SubscriptionAuthorizer {
        @Override
        public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
            String thing = input.getClientInformation().getClientId();
            var publish = input.getPublishPacket();
            String topic = publish.getTopic();
            if (ObserverPolicy.isObserver(thing)) {
                if (!ObserverPolicy.mayPublish(topic)) {
                    LOG.warn("refused publish of the observer {} to '{}': it may only subscribe", thing, topic);
                    output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not authorized to publish to " + topic);
                    return;
                }
            } else if (!ThingPolicy.mayPublish(thing, topic)) {
                LOG.warn("refused publish of {} to '{}': not in its policy {}", thing, topic,
                        ThingPolicy.publishTopics(thing));
                output.failAuthorization(AckReasonCode.NOT_AUTHORIZED,
                        "not authorized to publish to " + topic);
                return;
            }
            output.authorizeSuccessfully();
            meter.iotMessage(CostMeter.IotMessage.MQTT_PUBLISH_IN, MqttMetering.meteredBytes(publish));
            byte[] payload = publish.getPayload().map(LocalBroker::bytes).orElse(new byte[0]);
            listener.onPublish(thing, topic, payload);
        }

        @Override
        public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
            String thing = input.getClientInformation().getClientId();
            String filter = input.getSubscription().getTopicFilter();
            if (ObserverPolicy.isObserver(thing)) {
                if (!ObserverPolicy.maySubscribe(filter)) {
                    LOG.warn("refused subscribe of the observer {} to '{}': not one of {}", thing, filter,
                            ObserverPolicy.subscribeFilters());
                    output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not authorized to subscribe to " + filter);
                    return;
                }
            } else if (!ThingPolicy.maySubscribe(thing, filter)) {
                LOG.warn("refused subscribe of {} to '{}': not in its policy {}", thing, filter,
                        ThingPolicy.subscribeFilters(thing));
                output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not authorized to subscribe to " + filter);
                return;
            }
            output.authorizeSuccessfully();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.asReadOnlyBuffer();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
