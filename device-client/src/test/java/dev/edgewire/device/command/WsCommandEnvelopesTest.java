package dev.edgewire.device.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WsCommandEnvelopesTest {

    @Test
    void aBatchMessage_isPrintedAsOneLinePerItem_inOrder() {
        String batch = "{\"type\":\"batch\",\"items\":[{\"type\":\"telemetry\",\"deviceId\":\"thing-1\",\"reading\":{\"seq\":1}},"
                + "{\"type\":\"telemetry\",\"deviceId\":\"thing-2\",\"reading\":{\"seq\":2}}]}";

        assertThat(WsCommand.envelopes(batch)).containsExactly(
                "{\"type\":\"telemetry\",\"deviceId\":\"thing-1\",\"reading\":{\"seq\":1}}",
                "{\"type\":\"telemetry\",\"deviceId\":\"thing-2\",\"reading\":{\"seq\":2}}");
    }

    @Test
    void aPlainEnvelope_orAnythingElse_isPrintedAsItCame() {
        String one = "{\"type\":\"telemetry\",\"deviceId\":\"thing-1\",\"reading\":{\"seq\":1}}";

        assertThat(WsCommand.envelopes(one)).containsExactly(one);
        assertThat(WsCommand.envelopes("{\"message\": \"Internal server error\"}"))
                .containsExactly("{\"message\": \"Internal server error\"}");
        assertThat(WsCommand.envelopes("{\"type\":\"batch\",\"items\":")).containsExactly("{\"type\":\"batch\",\"items\":");
    }
}
