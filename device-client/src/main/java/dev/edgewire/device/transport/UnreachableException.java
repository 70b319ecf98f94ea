package dev.edgewire.device.transport;

/**
 * No connection to the target: unknown host, nothing listening, no answer in time, a server
 * certificate this device does not trust, or another failed handshake.
 */
public final class UnreachableException extends TransportException {
    public UnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
