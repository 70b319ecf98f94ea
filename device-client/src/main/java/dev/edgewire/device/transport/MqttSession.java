package dev.edgewire.device.transport;

import com.hivemq.client.mqtt.MqttClientConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One HiveMQ MQTT client, in the protocol version it speaks. Every call returns at once; its future
 * completes when the broker has answered and fails when the broker said no.
 */
interface MqttSession {

    /** Sends CONNECT with the settings' session and keep-alive; completes on a successful CONNACK. */
    CompletableFuture<Void> connect(MqttSettings settings);

    /**
     * Sends PUBLISH; completes when it is sent for QoS 0 and on the PUBACK for QoS 1. Fails with
     * {@link PublishRefusedException} when the PUBACK carries an error reason.
     */
    CompletableFuture<Void> publish(String topic, byte[] payload, MqttQos qos);

    /**
     * Subscribes to one topic filter; {@code onMessage} gets each arrival's topic and payload text.
     * Completes on a SUBACK that grants the filter; fails with {@link SubscribeRefusedException} when
     * it carries an error code.
     */
    CompletableFuture<Void> subscribe(String filter, MqttQos qos, BiConsumer<String, String> onMessage);

    /** Sends DISCONNECT and closes the connection. */
    CompletableFuture<Void> disconnect();

    /** Short name for messages and summaries: {@code mqtt5} or {@code mqtt3.1.1}. */
    String protocol();

    /** The client's configuration as HiveMQ exposes it. */
    MqttClientConfig clientConfig();

    /**
     * Settles an acknowledged call: passes a success, throws the refusal {@code refusal} makes of the
     * failure's cause (null when it is not one), and any other failure on as it came.
     */
    static Void settle(Throwable failure, Function<Throwable, TransportException> refusal) {
        Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
        if (cause == null) {
            return null;
        }
        TransportException refused = refusal.apply(cause);
        throw refused != null ? refused : new CompletionException(cause);
    }
}
