package dev.edgewire.device.cloud;

import dev.edgewire.contract.Outputs;
import dev.edgewire.device.DeviceException;
import dev.edgewire.contract.Topology;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the device connects and with which identity: AWS IoT Core or local mode alike.
 *
 * @param endpoint   IoT data-ATS host name, or {@code localhost} in local mode
 * @param mqttPort   MQTT over TLS port (8883 on AWS, 443 with ALPN)
 * @param httpsPort  HTTPS publish port (8443 on AWS, 443 with ALPN)
 * @param thingName  the thing this device is; client id and topic owner
 * @param caFile     CA to trust, or null for the bundled Amazon Root CA 1
 * @param certFile   client certificate (PEM), or null when not configured
 * @param keyFile    client private key (PEM), or null when not configured
 */
public record Target(String endpoint, int mqttPort, int httpsPort, String thingName, String webSocketUrl,
                     Path caFile, Path certFile, Path keyFile, String token, String certificateId) {

    public static final int DEFAULT_MQTT_PORT = Outputs.AWS_MQTT_PORT;
    public static final int DEFAULT_HTTPS_PORT = Outputs.AWS_HTTPS_PORT;

    /** AWS IoT Core endpoints get IoT Core's client-side limits and the bundled Amazon CA. */
    public boolean isAws() {
        return endpoint != null && endpoint.toLowerCase(Locale.ROOT).endsWith(".amazonaws.com");
    }

    public String requireEndpoint() {
        if (endpoint == null || endpoint.isBlank()) {
            throw DeviceException.usage("No endpoint: give --endpoint, set " + Setting.ENDPOINT.envVar()
                    + ", or pass --outputs with an " + Setting.ENDPOINT.outputKey() + " output.");
        }
        return endpoint;
    }

    public String telemetryTopic(String deviceId) {
        return Topology.Topics.forThing(Topology.Topics.TELEMETRY_TEMPLATE, deviceId);
    }

    public String commandsTopic(String deviceId) {
        return Topology.Topics.forThing(Topology.Topics.COMMANDS_TEMPLATE, deviceId);
    }

    public Optional<String> tokenIfAny() {
        return Optional.ofNullable(token).filter(t -> !t.isBlank());
    }
}
