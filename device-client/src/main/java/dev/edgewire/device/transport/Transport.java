package dev.edgewire.device.transport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A connection that delivers messages to a topic and says when the target has taken them:
 * MQTT (PUBACK for QoS 1) or HTTPS (a 2xx answer). Failures are {@link TransportException}s.
 */
public interface Transport extends AutoCloseable {

    /** Connects, or fails with a {@link TransportException} that says why. */
    void connect();

    /**
     * Sends one message. The future completes when the target acknowledged it (at once for QoS 0),
     * or fails with {@link PublishRefusedException} when the target refused it for good, or with
     * another exception when it may be tried again.
     */
    CompletableFuture<Void> publish(String topic, byte[] payload, int qos);

    /**
     * Sends one message and waits for its acknowledgement. Fails with {@link PublishRefusedException}
     * when the target refused it, else with {@link NotAcknowledgedException}.
     */
    default void publishAndAwait(String topic, byte[] payload, int qos, Duration timeout) {
        try {
            publish(topic, payload, qos).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            String message = "Publish to " + topic + " failed: " + cause.getMessage();
            throw cause instanceof PublishRefusedException
                    ? new PublishRefusedException(message, cause)
                    : new NotAcknowledgedException(message, cause);
        } catch (TimeoutException e) {
            throw new NotAcknowledgedException("No acknowledgement for the message to " + topic + " within "
                    + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportInterruptedException("Interrupted while waiting for the acknowledgement", e);
        }
    }

    /** Short name for messages and summaries. */
    String protocol();

    @Override
    void close();
}
