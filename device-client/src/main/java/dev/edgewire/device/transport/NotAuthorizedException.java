package dev.edgewire.device.transport;

/**
 * The target rejected this device's client certificate, or closed the connection during or right
 * after the TLS handshake, which is how such a rejection often shows.
 */
public final class NotAuthorizedException extends TransportException {
    public NotAuthorizedException(String message, Throwable cause) {
        super(message, cause);
    }
}
