package dev.edgewire.local.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import org.junit.jupiter.api.Test;

class ObserverPolicyTest {

    @Test
    void theObserversName_isNoThingName_soNoThingCanTakeIt() {
        assertThat(Outputs.THING_NAME_PATTERN.matcher(ObserverPolicy.CLIENT_ID).matches()).isFalse();
        assertThat(ThingPolicy.mayConnect(ObserverPolicy.CLIENT_ID, ObserverPolicy.CLIENT_ID)).isFalse();
        assertThat(ThingPolicy.publishTopics(ObserverPolicy.CLIENT_ID)).isEmpty();
        assertThat(ThingPolicy.mayPublish(ObserverPolicy.CLIENT_ID, "devices/" + ObserverPolicy.CLIENT_ID + "/telemetry"))
                .isFalse();
    }

    @Test
    void mayConnect_onlyWithItsOwnCertificate_andItsOwnClientId() {
        assertThat(ObserverPolicy.mayConnect(ObserverPolicy.CLIENT_ID, ObserverPolicy.CLIENT_ID)).isTrue();
        assertThat(ObserverPolicy.mayConnect(ObserverPolicy.CLIENT_ID, "thing-1")).isFalse();
        assertThat(ObserverPolicy.mayConnect("thing-1", ObserverPolicy.CLIENT_ID)).isFalse();
        assertThat(ObserverPolicy.mayConnect(null, ObserverPolicy.CLIENT_ID)).isFalse();
    }

    @Test
    void maySubscribe_toEveryDevicesTelemetryAndCommands_andTheSharedTopics_asExactFilters() {
        assertThat(ObserverPolicy.subscribeFilters()).containsExactlyInAnyOrder(Topology.Topics.TELEMETRY_FILTER,
                "devices/+/commands", Topology.Topics.GENERAL_INBOUND, Topology.Topics.GENERAL_OUTBOUND);
        assertThat(ObserverPolicy.maySubscribe("devices/+/telemetry")).isTrue();
        assertThat(ObserverPolicy.maySubscribe("devices/+/commands")).isTrue();
        assertThat(ObserverPolicy.maySubscribe("general/inbound")).isTrue();
        assertThat(ObserverPolicy.maySubscribe("general/outbound")).isTrue();
    }

    @Test
    void maySubscribe_toNoOtherFilter_notEvenOneCoveredByItsOwn() {
        assertThat(ObserverPolicy.maySubscribe("devices/thing-1/telemetry")).isFalse();
        assertThat(ObserverPolicy.maySubscribe("devices/#")).isFalse();
        assertThat(ObserverPolicy.maySubscribe("devices/+/+")).isFalse();
        assertThat(ObserverPolicy.maySubscribe("#")).isFalse();
        assertThat(ObserverPolicy.maySubscribe("$aws/things/+/shadow/update")).isFalse();
    }

    @Test
    void mayPublish_nowhere() {
        assertThat(ObserverPolicy.mayPublish("devices/thing-1/telemetry")).isFalse();
        assertThat(ObserverPolicy.mayPublish("devices/thing-1/commands")).isFalse();
        assertThat(ObserverPolicy.mayPublish("general/inbound")).isFalse();
        assertThat(ObserverPolicy.mayPublish("general/outbound")).isFalse();
    }

    @Test
    void aThing_stillMayNotSubscribeToTheObserversFilters() {
        for (String filter : ObserverPolicy.subscribeFilters().stream()
                .filter(f -> f.contains(ObserverPolicy.ANY_THING)).toList()) {
            assertThat(ThingPolicy.maySubscribe("thing-1", filter)).as(filter).isFalse();
        }
    }
}
