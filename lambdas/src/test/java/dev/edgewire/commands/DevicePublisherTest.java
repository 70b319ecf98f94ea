package dev.edgewire.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import dev.edgewire.contract.Topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;

class DevicePublisherTest {

    private final IotDataPlaneClient iot = mock(IotDataPlaneClient.class);
    private final DevicePublisher publisher = new DevicePublisher(iot, Topics.GENERAL_OUTBOUND, Topics.COMMANDS_TEMPLATE);

    @Test
    void publishTo_sendsToTheThingsCommandsTopic_atQos1() {
        assertThat(publisher.publishTo("thing-1", "{\"a\":1}")).isEqualTo("devices/thing-1/commands");

        ArgumentCaptor<PublishRequest> publish = ArgumentCaptor.forClass(PublishRequest.class);
        verify(iot).publish(publish.capture());
        assertThat(publish.getValue().topic()).isEqualTo("devices/thing-1/commands");
        assertThat(publish.getValue().qos()).isEqualTo(1);
        assertThat(publish.getValue().payload().asUtf8String()).isEqualTo("{\"a\":1}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "#", "a/b", "", "thing 1"})
    void publishTo_refusesNamesThatWouldChangeTheTopic(String name) {
        assertThatThrownBy(() -> publisher.publishTo(name, "{}")).isInstanceOf(IllegalArgumentException.class);
        verifyNoInteractions(iot);
    }
}
