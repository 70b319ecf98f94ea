package dev.edgewire.device.transport;

/** The thread was interrupted while it waited for the target; its interrupt flag is set again. */
public final class TransportInterruptedException extends TransportException {
    public TransportInterruptedException(String message, InterruptedException cause) {
        super(message, cause);
    }
}
