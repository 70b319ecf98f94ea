package dev.edgewire.local.mqtt;

import com.hivemq.extension.sdk.api.client.ClientContext;
import com.hivemq.extension.sdk.api.client.parameter.InitializerInput;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.packets.general.UserProperties;
import com.hivemq.extension.sdk.api.packets.general.UserProperty;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import com.hivemq.extension.sdk.api.packets.subscribe.SubscribePacket;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import com.hivemq.extension.sdk.api.services.intializer.ClientInitializer;
import dev.edgewire.local.cost.BillingUnits;
import dev.edgewire.local.cost.CostMeter.IotMessage;
import dev.edgewire.local.cost.CostMeter;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker hands the {@link CostMeter}, metered as AWS IoT Core meters MQTT ("AWS IoT Core
 * additional metering details", https://aws.amazon.com/iot-core/pricing/additional-details/, read
 * 2026-12-01): a CONNECT on its Will (topic and payload) and user properties; a SUBSCRIBE on its topic
 * filters and user properties; a PUBLISH sent to a subscriber on its topic, payload and MQTT 5 properties
 * (user properties, response topic, correlation data, content type); a PUBACK from a device on its user
 * properties, which is one message unless they exceed 5 KB; and each authenticated connection's minutes
 * until it ends. PINGREQ, PINGRESP, DISCONNECT, CONNACK, SUBACK, UNSUBSCRIBE and the broker's PUBACKs
 * are not metered, as on AWS. Publishes from devices are counted where the policy allows them
 * ({@link LocalBroker}).
 */
final class MqttMetering implements ClientLifecycleEventListener, ClientInitializer {

    /** The connection's key in the meter, kept with the connection. */
    private static final String CONNECTION_KEY = "edgewire.cost.connection";

    private static final Logger LOG = LoggerFactory.getLogger(MqttMetering.class);

    private final CostMeter meter;

    MqttMetering(CostMeter meter) {
        this.meter = meter;
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {
        ConnectPacket connect = input.getConnectPacket();
        long will = connect.getWillPublish().map(MqttMetering::meteredBytes).orElse(0L);
        meter.iotMessage(IotMessage.MQTT_CONNECT, will + bytes(connect.getUserProperties()));
    }

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
        String key = UUID.randomUUID().toString();
        input.getConnectionInformation().getConnectionAttributeStore().putAsString(CONNECTION_KEY, key);
        meter.iotConnected(key, meter.now());
    }

    /**
     * A broker-closed connection; one whose session another client with the same client id took is
     * logged, as AWS IoT's lifecycle event says {@code DUPLICATE_CLIENTID}: two clients fighting over one
     * id otherwise only show as connections that keep dropping.
     */
    @Override
    public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput input) {
        if (input.getReasonCode().filter(DisconnectedReasonCode.SESSION_TAKEN_OVER::equals).isPresent()) {
            LOG.warn("{}: another client connected with this client id and took its session",
                    input.getClientInformation().getClientId());
        }
        onDisconnect(input);
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
        input.getConnectionInformation().getConnectionAttributeStore().getAsString(CONNECTION_KEY)
                .ifPresent(key -> meter.iotDisconnected(key, meter.now()));
    }

    @Override
    public void initialize(InitializerInput input, ClientContext context) {
        context.addPublishOutboundInterceptor((in, out) ->
                meter.iotMessage(IotMessage.MQTT_PUBLISH_OUT, meteredBytes(in.getPublishPacket())));
        context.addPubackInboundInterceptor((in, out) ->
                meter.iotMessage(IotMessage.MQTT_PUBACK_IN, bytes(in.getPubackPacket().getUserProperties())));
        context.addSubscribeInboundInterceptor((in, out) ->
                meter.iotMessage(IotMessage.MQTT_SUBSCRIBE, bytes(in.getSubscribePacket())));
    }

    /** What IoT Core meters a PUBLISH (or a Will) on: topic and payload, and the MQTT 5 properties it names. */
    static long meteredBytes(PublishPacket publish) {
        return BillingUnits.utf8Length(publish.getTopic())
                + bytes(publish.getPayload())
                + bytes(publish.getUserProperties())
                + publish.getResponseTopic().map(BillingUnits::utf8Length).orElse(0)
                + bytes(publish.getCorrelationData())
                + publish.getContentType().map(BillingUnits::utf8Length).orElse(0);
    }

    private static long bytes(SubscribePacket subscribe) {
        long bytes = bytes(subscribe.getUserProperties());
        for (Subscription subscription : subscribe.getSubscriptions()) {
            bytes += BillingUnits.utf8Length(subscription.getTopicFilter());
        }
        return bytes;
    }

    private static long bytes(UserProperties properties) {
        long bytes = 0;
        for (UserProperty p : properties.asList()) {
            bytes += BillingUnits.utf8Length(p.getName()) + BillingUnits.utf8Length(p.getValue());
        }
        return bytes;
    }

    private static long bytes(Optional<ByteBuffer> buffer) {
        return buffer.map(ByteBuffer::remaining).orElse(0);
    }
}
