package dev.edgewire.device.transport;

/**
 * Another client connected with this client id and the broker handed it the session: MQTT 5's
 * DISCONNECT with reason code 0x8E (Session taken over), or on MQTT 3.1.1, which has no reason
 * codes, connections the broker closes again and again right after they open. Reconnecting would
 * only take the session back and start a fight, so the client stops.
 */
public final class SessionTakenOverException extends TransportException {
    public SessionTakenOverException(String message, Throwable cause) {
        super(message, cause);
    }
}
