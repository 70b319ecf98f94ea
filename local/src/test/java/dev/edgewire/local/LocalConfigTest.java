package dev.edgewire.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.local.policy.ObserverPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalConfigTest {

    @Test
    void things_mustHaveThingNames_soTheObserversNameIsRefused() {
        assertThatThrownBy(() -> LocalConfig.defaults().withThings(List.of("thing-1", ObserverPolicy.CLIENT_ID)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + ObserverPolicy.CLIENT_ID + "' is not a valid AWS IoT thing name")
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> LocalConfig.defaults().withThings(List.of("devices/+")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void things_withThingNames_areTaken() {
        assertThat(LocalConfig.defaults().withThings(List.of("thing-1", "pump_7:a")).things())
                .containsExactly("thing-1", "pump_7:a");
    }
}
