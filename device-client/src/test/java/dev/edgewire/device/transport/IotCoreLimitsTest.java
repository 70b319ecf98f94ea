package dev.edgewire.device.transport;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IotCoreLimitsTest {

    @Test
    void aPayloadOf128Kb_passes_andOneByteMoreIsRefusedWithTheLimitNamed() {
        assertThatCode(() -> IotCoreLimits.checkPayload(128 * 1024)).doesNotThrowAnyException();
        assertThatThrownBy(() -> IotCoreLimits.checkPayload(128 * 1024 + 1))
                .isInstanceOf(PublishRefusedException.class)
                .hasMessage("The message is 131073 bytes; AWS IoT Core takes at most 131072 bytes (128 KB) per message. Split it or send less.");
    }
}
