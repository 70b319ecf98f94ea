package dev.edgewire.device.cloud;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Target flags shared by every command; each falls back to its environment variable, then the outputs file. */
public final class TargetOptions {

    @Option(names = "--outputs", paramLabel = "FILE",
            description = "Outputs file of `cdk deploy --outputs-file` or of local mode (env EDGEWIRE_OUTPUTS).")
    Path outputs;

    @Option(names = "--endpoint", paramLabel = "HOST", description = "IoT data endpoint host (env EDGEWIRE_ENDPOINT; output IotEndpoint).")
    String endpoint;

    @Option(names = "--mqtt-port", paramLabel = "PORT", description = "MQTT TLS port (env EDGEWIRE_MQTT_PORT; output MqttPort; default 8883). 443 uses ALPN x-amzn-mqtt-ca.")
    String mqttPort;

    @Option(names = "--https-port", paramLabel = "PORT", description = "HTTPS port (env EDGEWIRE_HTTPS_PORT; output HttpsPort; default 8443). 443 uses ALPN x-amzn-http-ca.")
    String httpsPort;

    @Option(names = "--thing", paramLabel = "NAME", description = "Thing name (env EDGEWIRE_THING_NAME; output ThingName; default thing-1).")
    String thing;

    @Option(names = "--ca", paramLabel = "PEM", description = "CA certificate to trust (env EDGEWIRE_CA_FILE; output CaCertificateFile; default the bundled Amazon Root CA 1).")
    String ca;

    @Option(names = "--cert", paramLabel = "PEM", description = "Client certificate (env EDGEWIRE_CERT_FILE; output CertificateFile).")
    String cert;

    @Option(names = "--key", paramLabel = "PEM", description = "Client private key, PKCS#8 or traditional PEM (env EDGEWIRE_KEY_FILE; output PrivateKeyFile).")
    String key;

    @Option(names = "--ws-url", paramLabel = "URL", description = "WebSocket stage URL (env EDGEWIRE_WEBSOCKET_URL; output WebSocketUrl).")
    String wsUrl;

    @Option(names = "--token", paramLabel = "TOKEN", description = "WebSocket token (env EDGEWIRE_TOKEN; output Token).")
    String token;

    @Option(names = "--certificate-id", paramLabel = "ID", description = "IoT certificate id (env EDGEWIRE_CERTIFICATE_ID; output CertificateId).")
    String certificateId;

    /**
     * Outputs of the outputs file ({@code --outputs}, else {@code EDGEWIRE_OUTPUTS}) that are not
     * target settings, by key; empty without a file.
     */
    public Map<String, String> otherOutputs() {
        Path file = outputs != null ? outputs
                : java.util.Optional.ofNullable(System.getenv("EDGEWIRE_OUTPUTS")).filter(v -> !v.isBlank()).map(Path::of).orElse(null);
        return file == null ? Map.of() : TargetResolver.rawOutputs(file);
    }

    /** Resolves against the process environment. */
    public Target resolve() {
        return resolve(System.getenv());
    }

    public Target resolve(Map<String, String> env) {
        return TargetResolver.resolve(flags(), env, outputs);
    }

    Map<Setting, String> flags() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        put(flags, Setting.ENDPOINT, endpoint);
        put(flags, Setting.MQTT_PORT, mqttPort);
        put(flags, Setting.HTTPS_PORT, httpsPort);
        put(flags, Setting.THING_NAME, thing);
        put(flags, Setting.WEBSOCKET_URL, wsUrl);
        put(flags, Setting.CA_FILE, ca);
        put(flags, Setting.CERT_FILE, cert);
        put(flags, Setting.KEY_FILE, key);
        put(flags, Setting.TOKEN, token);
        put(flags, Setting.CERTIFICATE_ID, certificateId);
        return flags;
    }

    private static void put(Map<Setting, String> flags, Setting setting, String value) {
        if (value != null) {
            flags.put(setting, value);
        }
    }
}
