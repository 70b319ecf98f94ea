package dev.edgewire.device.command;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.tls.TlsMaterial;
import dev.edgewire.device.transport.Backoff;
import dev.edgewire.device.transport.HttpsTransport;
import dev.edgewire.device.transport.MqttSettings;
import dev.edgewire.device.transport.MqttTransport;
import dev.edgewire.device.transport.Transport;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/** How messages travel: protocol, QoS, MQTT version and session, HTTPS connection reuse. */
public final class TransportOptions {

    /** The two ways a device publishes. */
    public enum Protocol { mqtt, https }

    @Option(names = "--protocol", defaultValue = "mqtt", description = "mqtt or https (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--qos", defaultValue = "1", description = "0 or 1 (default: ${DEFAULT-VALUE}). HTTPS passes it as ?qos=.")
    int qos;

    @Option(names = "--mqtt-version", defaultValue = "5", description = "5 or 3 (MQTT 3.1.1) (default: ${DEFAULT-VALUE}).")
    int mqttVersion;

    @Option(names = "--clean-session", description = "Start without the broker's stored session and drop it on disconnect "
            + "(default: a persistent session, so QoS 1 messages in flight survive a reconnect).")
    boolean cleanSession;

    @Option(names = "--session-expiry", defaultValue = "3600", paramLabel = "SECONDS",
            description = "MQTT 5 session expiry of the persistent session (default: ${DEFAULT-VALUE}).")
    long sessionExpiry;

    @Option(names = "--no-reconnect", description = "Give up when the connection is lost instead of reconnecting with backoff.")
    boolean noReconnect;

    @Option(names = "--new-connection-per-message", description = "HTTPS: open a new TLS connection for every message "
            + "instead of reusing one kept-alive connection (for comparison only).")
    boolean newConnectionPerMessage;

    void validate() {
        if (qos != 0 && qos != 1) {
            throw DeviceException.usage("--qos must be 0 or 1 (AWS IoT Core has no QoS 2), not " + qos);
        }
        if (mqttVersion != 3 && mqttVersion != 5) {
            throw DeviceException.usage("--mqtt-version must be 5 or 3 (for 3.1.1), not " + mqttVersion);
        }
    }

    MqttSettings mqttSettings() {
        return new MqttSettings(mqttVersion, !cleanSession, sessionExpiry, !noReconnect, 30);
    }

    /** A transport for one device identity; not yet connected. */
    Transport open(Target target, String clientId, TlsMaterial tls, PrintStream log) {
        validate();
        return switch (protocol) {
            case mqtt -> new MqttTransport(target, clientId, tls, mqttSettings(), Backoff.standard(), log);
            case https -> new HttpsTransport(target, tls, !newConnectionPerMessage);
        };
    }
}
