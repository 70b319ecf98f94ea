package dev.edgewire.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.device.DeviceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetResolverTest {

    @TempDir
    Path dir;

    private Path outputs(String json) throws Exception {
        return Files.writeString(dir.resolve("cdk-outputs.json"), json);
    }

    @Test
    void outputsFile_mergesEveryStack_andResolvesRelativePathsFromItsFolder() throws Exception {
        Path file = outputs("""
                {"EdgewireIot": {"IotEndpoint": "abc-ats.iot.eu-west-1.amazonaws.com", "MqttPort": "8883", "ThingName": "thing-7"},
                 "EdgewireApi": {"WebSocketUrl": "wss://x.execute-api.eu-west-1.amazonaws.com/demo", "HttpsPort": "8443"},
                 "EdgewireLocal": {"CaCertificateFile": "certs/ca.pem", "CertificateFile": "/abs/cert.pem", "Token": "t0k"}}
                """);
        Target target = TargetResolver.resolve(Map.of(), Map.of(), file);
        assertThat(target.endpoint()).isEqualTo("abc-ats.iot.eu-west-1.amazonaws.com");
        assertThat(target.thingName()).isEqualTo("thing-7");
        assertThat(target.webSocketUrl()).isEqualTo("wss://x.execute-api.eu-west-1.amazonaws.com/demo");
        assertThat(target.caFile()).isEqualTo(dir.resolve("certs/ca.pem"));
        assertThat(target.certFile()).isEqualTo(Path.of("/abs/cert.pem"));
        assertThat(target.token()).isEqualTo("t0k");
        assertThat(target.isAws()).isTrue();
    }

    @Test
    void flags_beatEnvironment_whichBeatsTheOutputsFile() throws Exception {
        Path file = outputs("{\"S\": {\"IotEndpoint\": \"from-file\", \"ThingName\": \"file-thing\", \"MqttPort\": \"1111\"}}");
        Map<String, String> env = Map.of("EDGEWIRE_ENDPOINT", "from-env", "EDGEWIRE_THING_NAME", "env-thing");
        Target target = TargetResolver.resolve(Map.of(Setting.ENDPOINT, "from-flag"), env, file);
        assertThat(target.endpoint()).isEqualTo("from-flag");
        assertThat(target.thingName()).isEqualTo("env-thing");
        assertThat(target.mqttPort()).isEqualTo(1111);
    }

    @Test
    void environment_mayNameTheOutputsFile() throws Exception {
        Path file = outputs("{\"S\": {\"IotEndpoint\": \"localhost\", \"MqttPort\": \"18883\"}}");
        Target target = TargetResolver.resolve(Map.of(), Map.of("EDGEWIRE_OUTPUTS", file.toString()), null);
        assertThat(target.endpoint()).isEqualTo("localhost");
        assertThat(target.mqttPort()).isEqualTo(18883);
        assertThat(target.isAws()).isFalse();
    }

    @Test
    void nothingGiven_meansAwsPortsAndTheDefaultThing() {
        Target target = TargetResolver.resolve(Map.of(), Map.of(), null);
        assertThat(target.mqttPort()).isEqualTo(8883);
        assertThat(target.httpsPort()).isEqualTo(8443);
        assertThat(target.thingName()).isEqualTo("thing-1");
        assertThat(target.caFile()).isNull();
        assertThatThrownBy(target::requireEndpoint).hasMessageContaining("--endpoint")
                .hasMessageContaining("EDGEWIRE_ENDPOINT").hasMessageContaining("IotEndpoint");
    }

    @Test
    void aBadPort_isRejectedWithWhereItCameFrom() {
        assertThatThrownBy(() -> TargetResolver.resolve(Map.of(), Map.of("EDGEWIRE_MQTT_PORT", "88x3"), null))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("MqttPort must be a port number").hasMessageContaining("88x3");
    }

    @Test
    void aMissingOrMalformedOutputsFile_isReportedClearly() throws Exception {
        assertThatThrownBy(() -> TargetResolver.resolve(Map.of(), Map.of(), dir.resolve("nope.json")))
                .hasMessageStartingWith("Outputs file not found");
        Path notJson = outputs("{not json");
        assertThatThrownBy(() -> TargetResolver.resolve(Map.of(), Map.of(), notJson)).hasMessageContaining("not valid JSON");
        Path flat = Files.writeString(dir.resolve("flat.json"), "{\"IotEndpoint\": \"x\"}");
        assertThatThrownBy(() -> TargetResolver.resolve(Map.of(), Map.of(), flat)).hasMessageContaining("stack IotEndpoint");
    }
}
