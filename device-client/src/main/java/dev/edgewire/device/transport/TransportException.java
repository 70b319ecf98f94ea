package dev.edgewire.device.transport;

/**
 * A transport could not do what it was asked. The subclass names what went wrong; the message says
 * it in one sentence a person can act on.
 */
public abstract sealed class TransportException extends RuntimeException
        permits UnreachableException, NotAuthorizedException, NotAcknowledgedException, PublishRefusedException,
        SubscribeRefusedException, TransportInterruptedException, SessionTakenOverException {

    protected TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
