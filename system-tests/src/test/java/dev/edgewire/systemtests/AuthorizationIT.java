package dev.edgewire.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Tokens;
import dev.edgewire.systemtests.clients.Device;
import dev.edgewire.systemtests.clients.Readings;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.target.Deployment;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A token names the devices its holder may command: a command to any other device is answered with a
 * {@code Forbidden} error to the sender, and nothing reaches the device or the other watchers. Every
 * token may watch. The device observed is the deployment's thing; "another device" is a thing the
 * token names instead.
 */
@ContractTest
class AuthorizationIT {

    private Deployment deployment;
    private String thing;
    private String another;

    @BeforeEach
    void tokensAreMintedFromTheStagesKey(Deployment deployment) {
        Assumptions.assumeTrue(deployment.tokenKey().isPresent(),
                "Minting tokens with grants needs the token key: give -Dedgewire.tokenKeyFile=FILE");
        this.deployment = deployment;
        this.thing = deployment.thingName();
        this.another = thing.equals("thing-2") ? "thing-1" : "thing-2";
    }

    @Test
    void aTokenForAnotherDevice_cannotCommandThisOne_andNothingReachesItOrTheWatchers() throws Exception {
        String refused = "not for you " + UUID.randomUUID();
        try (Device device = Device.connect(deployment);
                Watcher sender = watcher(Tokens.Grant.devices(List.of(another)));
                Watcher onlooker = watcher(Tokens.Grant.ALL)) {
            device.subscribe("devices/" + thing + "/commands", "general/outbound");

            sender.sendMessage(Watcher.JSON.getNodeFactory().textNode(refused), thing);

            JsonNode error = sender.awaitEnvelope("the refusal", e -> "error".equals(e.path("type").asText()));
            assertThat(error.path("error").asText()).isEqualTo("Forbidden");
            assertThat(error.path("detail").asText()).contains("\"" + thing + "\"").contains("allows " + another);
            // A command sent after the refusal arrives; had the refused one been sent, it would have come first.
            String after = sendAllowedMarker(onlooker);
            device.awaitMessage("devices/" + thing + "/commands", p -> p.contains(after));
            onlooker.awaitEnvelope("the marker", e -> after.equals(e.path("message").asText()));
            assertThat(device.messages("devices/" + thing + "/commands")).noneMatch(p -> p.contains(refused));
            assertThat(onlooker.find(e -> refused.equals(e.path("message").asText()))).isEmpty();
            assertThat(sender.find(e -> refused.equals(e.path("message").asText()))).isEmpty();
        }
    }

    @Test
    void aTokenForThisDevice_commandsIt_butCannotSendToEveryDevice() throws Exception {
        ObjectNode command = command();
        String toAll = "to everyone " + UUID.randomUUID();
        try (Device device = Device.connect(deployment);
                Watcher sender = watcher(Tokens.Grant.devices(List.of(thing)))) {
            device.subscribe("devices/" + thing + "/commands", "general/outbound");

            sender.sendMessage(command, thing);
            JsonNode atDevice = Watcher.JSON.readTree(device.awaitMessage("devices/" + thing + "/commands",
                    p -> p.contains(command.path("nonce").asText())));
            assertThat(atDevice.path("message")).isEqualTo(command);

            sender.sendMessage(Watcher.JSON.getNodeFactory().textNode(toAll), null);
            JsonNode error = sender.awaitEnvelope("the refusal", e -> "error".equals(e.path("type").asText()));
            assertThat(error.path("error").asText()).isEqualTo("Forbidden");
            assertThat(error.path("detail").asText()).contains("general/outbound");
        }
    }

    @Test
    void aTokenForEveryDevice_commandsThisOne_andEveryDevice() throws Exception {
        ObjectNode command = command();
        String toAll = "to everyone " + UUID.randomUUID();
        try (Device device = Device.connect(deployment);
                Watcher sender = watcher(Tokens.Grant.ALL)) {
            device.subscribe("devices/" + thing + "/commands", "general/outbound");

            sender.sendMessage(command, thing);
            sender.sendMessage(Watcher.JSON.getNodeFactory().textNode(toAll), null);

            device.awaitMessage("devices/" + thing + "/commands", p -> p.contains(command.path("nonce").asText()));
            device.awaitMessage("general/outbound", p -> p.contains(toAll));
            sender.awaitEnvelope("its message to everyone", e -> toAll.equals(e.path("message").asText()));
            assertThat(sender.find(e -> "error".equals(e.path("type").asText()))).isEmpty();
        }
    }

    @Test
    void aTokenWithoutDevices_watchesReadings_butCommandsNothing() throws Exception {
        String refused = "watch only " + UUID.randomUUID();
        try (Device device = Device.connect(deployment);
                Watcher watcher = watcher(Tokens.Grant.NONE);
                Watcher onlooker = watcher(Tokens.Grant.ALL)) {
            device.subscribe("devices/" + thing + "/commands", "general/outbound");

            JsonNode reading = publishUntilWatched(device, watcher);
            assertThat(reading.path("type").asText()).isEqualTo("telemetry");
            assertThat(reading.path("deviceId").asText()).isEqualTo(thing);

            watcher.sendMessage(Watcher.JSON.getNodeFactory().textNode(refused), thing);
            watcher.sendMessage(Watcher.JSON.getNodeFactory().textNode(refused), null);
            await().atMost(deployment.patience()).untilAsserted(() -> assertThat(watcher.envelopes())
                    .filteredOn(e -> "error".equals(e.path("type").asText()))
                    .hasSize(2)
                    .allSatisfy(e -> {
                        assertThat(e.path("error").asText()).isEqualTo("Forbidden");
                        assertThat(e.path("detail").asText()).contains("allows no device");
                    }));
            String after = sendAllowedMarker(onlooker);
            device.awaitMessage("devices/" + thing + "/commands", p -> p.contains(after));
            device.awaitMessage("general/outbound", p -> p.contains(after));
            watcher.awaitEnvelope("the marker, which it watches", e -> after.equals(e.path("message").asText()));
            assertThat(device.messages("devices/" + thing + "/commands")).noneMatch(p -> p.contains(refused));
            assertThat(device.messages("general/outbound")).noneMatch(p -> p.contains(refused));
            assertThat(onlooker.find(e -> refused.equals(e.path("message").asText()))).isEmpty();
        }
    }

    private Watcher watcher(Tokens.Grant grant) throws Exception {
        String token = Tokens.mint(deployment.tokenKey().orElseThrow(), "authorization-" + UUID.randomUUID(), grant,
                Duration.ofMinutes(10), Clock.systemUTC());
        return Watcher.connect(deployment.stage(token), deployment.patience());
    }

    private static ObjectNode command() {
        return Watcher.JSON.createObjectNode().put("led", "on").put("nonce", UUID.randomUUID().toString());
    }

    /** A message to the device and to every device from a token that may, sent after the refused ones. */
    private String sendAllowedMarker(Watcher allowed) throws Exception {
        String marker = "marker " + UUID.randomUUID();
        allowed.sendMessage(Watcher.JSON.getNodeFactory().textNode(marker), thing);
        allowed.sendMessage(Watcher.JSON.getNodeFactory().textNode(marker), null);
        return marker;
    }

    private JsonNode publishUntilWatched(Device device, Watcher watcher) {
        AtomicLong seq = new AtomicLong();
        List<String> probes = new java.util.concurrent.CopyOnWriteArrayList<>();
        return await().atMost(deployment.patience()).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    var delivered = watcher.find(e -> probes.stream().anyMatch(p -> Readings.carries(e, p)));
                    if (delivered.isEmpty()) {
                        String probe = Readings.newProbe();
                        probes.add(probe);
                        device.publish("devices/" + thing + "/telemetry", Readings.reading(thing, seq.getAndIncrement(), probe).toString());
                    }
                    return delivered;
                }, java.util.Optional::isPresent).orElseThrow();
    }
}
