package dev.edgewire.device.transport;

/** The target answered and refused the message; sending the same message again will not help. */
public final class PublishRefusedException extends TransportException {
    public PublishRefusedException(String message) {
        super(message, null);
    }

    public PublishRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
