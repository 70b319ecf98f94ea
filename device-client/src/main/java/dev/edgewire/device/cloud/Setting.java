package dev.edgewire.device.cloud;

import dev.edgewire.contract.Outputs;

/**
 * One thing the client needs to know about its target, with the names it goes by in each source:
 * the output key of the outputs file ({@link dev.edgewire.contract.Outputs}), the environment variable, and the flag.
 */
public enum Setting {
    ENDPOINT(Outputs.IOT_ENDPOINT, "EDGEWIRE_ENDPOINT", "--endpoint"),
    MQTT_PORT(Outputs.MQTT_PORT, "EDGEWIRE_MQTT_PORT", "--mqtt-port"),
    HTTPS_PORT(Outputs.HTTPS_PORT, "EDGEWIRE_HTTPS_PORT", "--https-port"),
    THING_NAME(Outputs.THING_NAME, "EDGEWIRE_THING_NAME", "--thing"),
    WEBSOCKET_URL(Outputs.WEB_SOCKET_URL, "EDGEWIRE_WEBSOCKET_URL", "--ws-url"),
    CA_FILE(Outputs.CA_CERTIFICATE_FILE, "EDGEWIRE_CA_FILE", "--ca"),
    CERT_FILE(Outputs.CERTIFICATE_FILE, "EDGEWIRE_CERT_FILE", "--cert"),
    KEY_FILE(Outputs.PRIVATE_KEY_FILE, "EDGEWIRE_KEY_FILE", "--key"),
    TOKEN(Outputs.TOKEN, "EDGEWIRE_TOKEN", "--token"),
    CERTIFICATE_ID(Outputs.CERTIFICATE_ID, "EDGEWIRE_CERTIFICATE_ID", "--certificate-id");

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
