package dev.edgewire.device.transport;

/** The broker answered and refused a topic filter. */
public final class SubscribeRefusedException extends TransportException {
    public SubscribeRefusedException(String message) {
        super(message, null);
    }

    public SubscribeRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
