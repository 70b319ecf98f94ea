package dev.edgewire.device.transport;

import java.util.concurrent.CompletableFuture;

/**
 * A connection that delivers messages to a topic and says when the target has taken them:
 * MQTT (PUBACK for QoS 1) or HTTPS (a 2xx answer).
 */
public interface Transport extends AutoCloseable {

    /** Connects, or fails with a {@link dev.edgewire.device.DeviceException} that says why. */
    void connect();

    /**
     * Sends one message. The future completes when the target acknowledged it (at once for QoS 0),
     * or fails with {@link PublishRefusedException} when the target refused it for good, or with
     * another exception when it may be tried again.
     */
    CompletableFuture<Void> publish(String topic, byte[] payload, int qos);

    /** Short name for messages and summaries. */
    String protocol();

    @Override
    void close();
}
