package dev.edgewire.local.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThingPolicyTest {

    @Test
    void aThing_connectsOnlyUnderItsOwnName() {
        assertThat(ThingPolicy.mayConnect("thing-1", "thing-1")).isTrue();
        assertThat(ThingPolicy.mayConnect("thing-1", "thing-2")).isFalse();
        assertThat(ThingPolicy.mayConnect(null, "thing-1")).isFalse();
    }

    @Test
    void aThing_publishesToItsTelemetryAndTheSharedInbound_only() {
        assertThat(ThingPolicy.mayPublish("thing-1", "devices/thing-1/telemetry")).isTrue();
        assertThat(ThingPolicy.mayPublish("thing-1", "general/inbound")).isTrue();
        assertThat(ThingPolicy.mayPublish("thing-1", "devices/thing-2/telemetry")).isFalse();
        assertThat(ThingPolicy.mayPublish("thing-1", "devices/thing-1/commands")).isFalse();
        assertThat(ThingPolicy.mayPublish("thing-1", "general/outbound")).isFalse();
    }

    @Test
    void aThing_subscribesToItsCommandsAndTheSharedOutbound_withExactFiltersOnly() {
        assertThat(ThingPolicy.maySubscribe("thing-1", "devices/thing-1/commands")).isTrue();
        assertThat(ThingPolicy.maySubscribe("thing-1", "general/outbound")).isTrue();
        assertThat(ThingPolicy.maySubscribe("thing-1", "devices/thing-2/commands")).isFalse();
        assertThat(ThingPolicy.maySubscribe("thing-1", "devices/+/commands")).isFalse();
        assertThat(ThingPolicy.maySubscribe("thing-1", "#")).isFalse();
    }

    @Test
    void aNameThatIsNoThingName_isAllowedNothing() {
        assertThat(ThingPolicy.mayConnect("a/b", "a/b")).isFalse();
        assertThat(ThingPolicy.mayConnect("+", "+")).isFalse();
        assertThat(ThingPolicy.maySubscribe("+", "devices/+/commands")).isFalse();
        assertThat(ThingPolicy.subscribeFilters("#")).isEmpty();
    }
}
