package dev.edgewire.device.transport;

import com.hivemq.client.mqtt.MqttClientConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** MQTT 5: a session expiry on CONNECT, and reason codes on PUBACK and SUBACK that can refuse. */
final class Mqtt5Session implements MqttSession {
    private final Mqtt5AsyncClient client;

    Mqtt5Session(Mqtt5AsyncClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<Void> connect(MqttSettings settings) {
        return client.connectWith()
                .cleanStart(!settings.persistentSession())
                .sessionExpiryInterval(settings.persistentSession() ? settings.sessionExpirySeconds() : 0)
                .keepAlive(settings.keepAliveSeconds())
                .send()
                .thenApply(connAck -> null);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos) {
        return client.publishWith().topic(topic).qos(qos).payload(payload).send()
                .handle((result, failure) -> acknowledged(failure != null ? failure : result.getError().orElse(null)));
    }

    /** Passes a message the broker took and turns a PUBACK with an error reason into a refusal. */
    private static Void acknowledged(Throwable failure) {
        return MqttSession.settle(failure, cause -> {
            if (!(cause instanceof Mqtt5PubAckException refused)) {
                return null;
            }
            Mqtt5PubAck ack = refused.getMqttMessage();
            return new PublishRefusedException("the broker refused the message: PUBACK " + ack.getReasonCode()
                    + ack.getReasonString().map(s -> " (" + s + ")").orElse(""), refused);
        });
    }

    @Override
    public CompletableFuture<Void> subscribe(String filter, MqttQos qos, BiConsumer<String, String> onMessage) {
        return client.subscribeWith().topicFilter(filter).qos(qos)
                .callback(p -> onMessage.accept(p.getTopic().toString(),
                        new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send()
                .handle((subAck, failure) -> granted(filter, failure));
    }

    /** Passes a SUBACK that granted the filter and turns one with an error code into a refusal. */
    private static Void granted(String filter, Throwable failure) {
        return MqttSession.settle(failure, cause -> cause instanceof Mqtt5SubAckException refused
                ? SubscribeRefusedException.of(filter, refused.getMqttMessage().getReasonCodes(), refused)
                : null);
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        return client.disconnect();
    }

    @Override
    public String protocol() {
        return "mqtt5";
    }

    @Override
    public MqttClientConfig clientConfig() {
        return client.getConfig();
    }
}
