package dev.edgewire.device.transport;

import com.hivemq.client.mqtt.MqttClientConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * MQTT 3.1.1: a clean or kept session without expiry, a SUBACK return code that can refuse, and a
 * PUBACK that cannot (a broker that will not take a message closes the connection instead).
 */
final class Mqtt311Session implements MqttSession {
    private final Mqtt3AsyncClient client;

    Mqtt311Session(Mqtt3AsyncClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<Void> connect(MqttSettings settings) {
        return client.connectWith()
                .cleanSession(!settings.persistentSession())
                .keepAlive(settings.keepAliveSeconds())
                .send()
                .thenApply(connAck -> null);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos) {
        return client.publishWith().topic(topic).qos(qos).payload(payload).send().thenApply(publish -> null);
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
        return MqttSession.settle(failure, cause -> cause instanceof Mqtt3SubAckException refused
                ? SubscribeRefusedException.of(filter, refused.getMqttMessage().getReturnCodes(), refused)
                : null);
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        return client.disconnect();
    }

    @Override
    public String protocol() {
        return "mqtt3.1.1";
    }

    @Override
    public MqttClientConfig clientConfig() {
        return client.getConfig();
    }
}
