package dev.edgewire.device.transport;

/**
 * How an MQTT connection behaves.
 *
 * @param version              3 for MQTT 3.1.1, 5 for MQTT 5
 * @param persistentSession    keep the session (subscriptions, unacknowledged QoS 1 messages) across connections
 * @param sessionExpirySeconds MQTT 5 session expiry when the session is persistent
 * @param reconnect            reconnect with backoff after a connection that worked is lost
 * @param keepAliveSeconds     MQTT keep-alive
 */
public record MqttSettings(int version, boolean persistentSession, long sessionExpirySeconds,
                           boolean reconnect, int keepAliveSeconds) {

    public MqttSettings {
        if (version != 3 && version != 5) {
            throw new IllegalArgumentException("MQTT version must be 3 (3.1.1) or 5, not " + version);
        }
    }

    public static MqttSettings defaults() {
        return new MqttSettings(5, true, 3600, true, 30);
    }
}
