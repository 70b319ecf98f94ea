package dev.edgewire.device.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OutboxOptionsTest {

    @Test
    void eachTargetAndThing_getsAnOutboxOfItsOwn_underTheHomeFolder() {
        Path home = Path.of("/home/me");

        assertThat(OutboxOptions.defaultFile(home, "localhost:8883", "thing-1"))
                .isEqualTo(Path.of("/home/me/.edgewire/outbox/localhost_8883/thing-1.db"));
        assertThat(OutboxOptions.defaultFile(home, "abc-ats.iot.eu-west-1.amazonaws.com:8883", "thing-1"))
                .isNotEqualTo(OutboxOptions.defaultFile(home, "localhost:8883", "thing-1"));
        assertThat(OutboxOptions.defaultFile(home, "localhost:8883", "sim-1-3"))
                .isNotEqualTo(OutboxOptions.defaultFile(home, "localhost:8883", "thing-1"));
        // Nothing in a name leaves the folder.
        assertThat(OutboxOptions.defaultFile(home, "../../etc:1", "..").normalize())
                .isEqualTo(Path.of("/home/me/.edgewire/outbox/__.._etc_1/_.db"));
    }
}
