package dev.edgewire.device.transport;

/**
 * A message or subscription got no acknowledgement: none in time, the connection was lost, or the
 * target answered that it could not take it now. Trying again later may work.
 */
public final class NotAcknowledgedException extends TransportException {
    public NotAcknowledgedException(String message, Throwable cause) {
        super(message, cause);
    }
}
