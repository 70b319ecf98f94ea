package dev.edgewire.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.systemtests.clients.Device;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.target.Deployment;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * People talk back: a {@code sendMessage} over the WebSocket reaches every watcher and the devices, on
 * {@code general/outbound}, or on one device's {@code devices/{thing}/commands} when it names the device.
 */
@ContractTest
class MessageToDeviceIT {

    @Test
    void sendMessage_reachesEveryWebSocketClient_andTheDeviceOnGeneralOutbound(Deployment deployment) throws Exception {
        String text = "hello from the contract suite " + UUID.randomUUID();
        try (Device device = Device.connect(deployment);
                Watcher alice = Watcher.connect(deployment.stage(deployment.token()), deployment.patience());
                Watcher bob = Watcher.connect(deployment.stage(deployment.token()), deployment.patience())) {
            device.subscribe("general/outbound", "devices/" + deployment.thingName() + "/commands");
            String aliceId = alice.connectionId();

            alice.sendMessage(Watcher.JSON.getNodeFactory().textNode(text), null);

            JsonNode atBob = bob.awaitEnvelope("alice's message", e -> text.equals(e.path("message").asText()));
            assertThat(atBob.path("type").asText()).isEqualTo("message");
            assertThat(atBob.path("from").asText()).isEqualTo(aliceId);
            assertThat(atBob.path("sentAt").isNumber()).as("sentAt is epoch ms: %s", atBob).isTrue();
            alice.awaitEnvelope("her own message back", e -> text.equals(e.path("message").asText()));
            JsonNode atDevice = Watcher.JSON.readTree(device.awaitMessage("general/outbound", p -> p.contains(text)));
            assertThat(atDevice.path("type").asText()).isEqualTo("message");
            assertThat(atDevice.path("message").asText()).isEqualTo(text);
            assertThat(atDevice.path("from").asText()).isEqualTo(aliceId);
        }
    }

    @Test
    void sendMessage_withADeviceId_reachesThatDeviceOnItsCommandsTopic(Deployment deployment) throws Exception {
        String thing = deployment.thingName();
        ObjectNode command = Watcher.JSON.createObjectNode().put("led", "on").put("nonce", UUID.randomUUID().toString());
        try (Device device = Device.connect(deployment);
                Watcher alice = Watcher.connect(deployment.stage(deployment.token()), deployment.patience())) {
            device.subscribe("devices/" + thing + "/commands");

            alice.sendMessage(command, thing);

            JsonNode atDevice = Watcher.JSON.readTree(device.awaitMessage("devices/" + thing + "/commands",
                    p -> p.contains(command.path("nonce").asText())));
            assertThat(atDevice.path("type").asText()).isEqualTo("message");
            assertThat(atDevice.path("message")).isEqualTo(command);
        }
    }
}
