package dev.edgewire.device.target;

/**
 * One thing the client needs to know about its target, with the names it goes by in each source:
 * the output key of the outputs file (DESIGN.md), the environment variable, and the flag.
 */
public enum Setting {
    ENDPOINT("IotEndpoint", "EDGEWIRE_ENDPOINT", "--endpoint"),
    MQTT_PORT("MqttPort", "EDGEWIRE_MQTT_PORT", "--mqtt-port"),
    HTTPS_PORT("HttpsPort", "EDGEWIRE_HTTPS_PORT", "--https-port"),
    THING_NAME("ThingName", "EDGEWIRE_THING_NAME", "--thing"),
    WEBSOCKET_URL("WebSocketUrl", "EDGEWIRE_WEBSOCKET_URL", "--ws-url"),
    CA_FILE("CaCertificateFile", "EDGEWIRE_CA_FILE", "--ca"),
    CERT_FILE("CertificateFile", "EDGEWIRE_CERT_FILE", "--cert"),
    KEY_FILE("PrivateKeyFile", "EDGEWIRE_KEY_FILE", "--key"),
    TOKEN("Token", "EDGEWIRE_TOKEN", "--token"),
    CERTIFICATE_ID("CertificateId", "EDGEWIRE_CERTIFICATE_ID", "--certificate-id");

    private final String outputKey;
    private final String envVar;
    private final String flag;

    Setting(String outputKey, String envVar, String flag) {
        this.outputKey = outputKey;
        this.envVar = envVar;
        this.flag = flag;
    }

    public String outputKey() {
        return outputKey;
    }

    public String envVar() {
        return envVar;
    }

    public String flag() {
        return flag;
    }

    /** Whether the value is a file path, which an outputs file may give relative to itself. */
    boolean isPath() {
        return this == CA_FILE || this == CERT_FILE || this == KEY_FILE;
    }
}
