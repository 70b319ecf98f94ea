package dev.edgewire.local.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ErrorActionMessageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void of_hasTheShapeOfIotsErrorActionMessage_withThePayloadAsPublished() {
        byte[] payload = "{\"seq\":5}".getBytes(StandardCharsets.UTF_8);

        JsonNode message = ErrorActionMessage.of(JSON, "Telemetry", "devices/thing-1/telemetry", "thing-1", payload,
                "http://127.0.0.1:9324/000000000000/edgewire-readings", "queue full");

        assertThat(message.path("ruleName").asText()).isEqualTo("Telemetry");
        assertThat(message.path("topic").asText()).isEqualTo("devices/thing-1/telemetry");
        assertThat(message.path("clientId").asText()).isEqualTo("thing-1");
        assertThat(message.path("cloudwatchTraceId").asText()).isNotEmpty();
        assertThat(Base64.getDecoder().decode(message.path("base64OriginalPayload").asText())).isEqualTo(payload);
        assertThat(message.path("failures")).hasSize(1);
        assertThat(message.path("failures").get(0)).isEqualTo(JSON.createObjectNode()
                .put("failedAction", "SqsAction")
                .put("failedResource", "http://127.0.0.1:9324/000000000000/edgewire-readings")
                .put("errorMessage", "queue full"));
    }
}
