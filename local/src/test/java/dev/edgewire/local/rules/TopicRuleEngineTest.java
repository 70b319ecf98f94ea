package dev.edgewire.local.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.TopicRule;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicRuleEngineTest {

    private static final Instant NOW = Instant.parse("2026-11-29T21:00:00Z");
    private final TopicRuleEngine engine =
            new TopicRuleEngine(Topology.TOPIC_RULES, new ObjectMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void telemetryRule_addsDeviceIdFromTheTopic_theTopic_andTheReceiveTime() throws Exception {
        var outputs = engine.evaluate("devices/thing-7/telemetry",
                bytes("{\"deviceId\":\"spoofed\",\"seq\":42,\"temperature\":22.4}"), "thing-7");

        assertThat(outputs).hasSize(1);
        var out = outputs.get(0).payload();
        assertThat(outputs.get(0).rule().id()).isEqualTo("Telemetry");
        assertThat(out.get("deviceId").asText()).isEqualTo("thing-7");
        assertThat(out.get("topic").asText()).isEqualTo("devices/thing-7/telemetry");
        assertThat(out.get("receivedAt").asLong()).isEqualTo(NOW.toEpochMilli());
        assertThat(out.get("seq").asInt()).isEqualTo(42);
        assertThat(out.get("temperature").asDouble()).isEqualTo(22.4);
    }

    @Test
    void generalInboundRule_keepsTheDeviceIdTheMessageCarries() throws Exception {
        var outputs = engine.evaluate("general/inbound", bytes("{\"deviceId\":\"thing-1\",\"seq\":1}"), "thing-1");

        assertThat(outputs).singleElement().satisfies(o -> {
            assertThat(o.payload().get("deviceId").asText()).isEqualTo("thing-1");
            assertThat(o.payload().get("topic").asText()).isEqualTo("general/inbound");
        });
    }

    @Test
    void generalInbound_namesTheMqttClient_notTheDeviceThePayloadClaims() throws Exception {
        var outputs = engine.evaluate("general/inbound", bytes("{\"deviceId\":\"thing-9\",\"seq\":1}"), "thing-1");

        assertThat(outputs).singleElement().satisfies(o -> assertThat(o.payload().get("deviceId").asText())
                .isEqualTo("thing-1"));
    }

    @Test
    void generalInboundOverHttps_hasNoClientId_andNamesTheCertificate() throws Exception {
        var outputs = engine.evaluate("general/inbound", bytes("{\"deviceId\":\"thing-9\"}"),
                TopicRuleEngine.NOT_MQTT, "c0ffee");

        assertThat(outputs).singleElement().satisfies(o -> {
            assertThat(o.payload().get("deviceId").asText()).isEqualTo("n/a");
            assertThat(o.payload().get("principal").asText()).isEqualTo("c0ffee");
        });
    }

    @Test
    void topicsNoRuleSelectsFrom_produceNothing() throws Exception {
        assertThat(engine.evaluate("devices/thing-1/commands", bytes("{}"), null)).isEmpty();
        assertThat(engine.evaluate("devices/thing-1/telemetry/extra", bytes("{}"), null)).isEmpty();
    }

    @Test
    void aPayloadThatIsNotAJsonObject_failsTheRule() {
        assertThatThrownBy(() -> engine.evaluate("devices/thing-1/telemetry", bytes("not json"), "thing-1"))
                .isInstanceOf(TopicRuleEngine.RuleException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> engine.evaluate("devices/thing-1/telemetry", bytes("[1,2]"), "thing-1"))
                .isInstanceOf(TopicRuleEngine.RuleException.class).hasMessageContaining("not a JSON object");
    }

    @Test
    void sqlOutsideTheSupportedSubset_isRefusedWhenTheEngineIsBuilt() {
        var rule = new TopicRule("Odd", "a/b", "SELECT temperature FROM 'a/b' WHERE temperature > 50");

        assertThatThrownBy(() -> new TopicRuleEngine(List.of(rule), new ObjectMapper(), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Odd");
    }

    @Test
    void topicFilters_matchAsMqttDoes() {
        assertThat(TopicRuleEngine.matches("devices/+/telemetry", "devices/a/telemetry")).isTrue();
        assertThat(TopicRuleEngine.matches("devices/+/telemetry", "devices/a/b/telemetry")).isFalse();
        assertThat(TopicRuleEngine.matches("devices/#", "devices/a/b")).isTrue();
        assertThat(TopicRuleEngine.matches("general/inbound", "general/inbound")).isTrue();
        assertThat(TopicRuleEngine.matches("general/inbound", "general/inbound/x")).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
