package dev.edgewire.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.edgewire.systemtests.clients.Device;
import dev.edgewire.systemtests.clients.HttpsDevice;
import dev.edgewire.systemtests.clients.Readings;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.target.Deployment;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input gets a clear refusal to whoever sent it and changes nothing for anyone else: WebSocket frames
 * the stage cannot serve, and publishes or connections outside the thing's IoT policy.
 */
@ContractTest
class BadInputIT {

    /** Each frame carries {@code NONCE}, so that a broadcast of it would be recognised. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"action\":\"noSuchAction\",\"message\":\"NONCE\"}",
            "NONCE is not JSON",
            "{\"action\":\"sendMessage\",\"text\":\"NONCE\"}",
            "{\"action\":\"sendMessage\",\"message\":\"NONCE\",\"deviceId\":\"not a thing name!\"}",
            "[\"sendMessage\",\"NONCE\"]"})
    void aFrameTheStageCannotServe_getsABadRequestEnvelope_andIsNotBroadcast(String template, Deployment deployment)
            throws Exception {
        String nonce = UUID.randomUUID().toString();
        try (Watcher sender = Watcher.connect(deployment.stage(deployment.token()), deployment.patience());
                Watcher bystander = Watcher.connect(deployment.stage(deployment.token()), deployment.patience())) {

            sender.send(template.replace("NONCE", nonce));

            JsonNode error = sender.awaitEnvelope("an error envelope", e -> "error".equals(e.path("type").asText()));
            assertThat(error.path("error").asText()).isEqualTo("BadRequest");
            assertThat(error.path("detail").asText()).isNotBlank();
            // A message sent after the bad frame was answered: when it has arrived, so would a broadcast of the bad one.
            String after = "after " + nonce.substring(0, 8);
            sender.sendMessage(Watcher.JSON.getNodeFactory().textNode(after), null);
            bystander.awaitEnvelope("the next message", e -> after.equals(e.path("message").asText()));
            assertThat(bystander.envelopes()).as("what the bystander got")
                    .noneMatch(e -> e.toString().contains(nonce))
                    .noneMatch(e -> "error".equals(e.path("type").asText()));
        }
    }

    @Test
    void anHttpsPublishToAnotherThingsTopic_isRefusedWith403(Deployment deployment) throws Exception {
        String other = deployment.thingName() + "-not-mine";
        try (HttpsDevice device = HttpsDevice.of(deployment)) {
            HttpResponse<String> response = device.publish("devices/" + other + "/telemetry",
                    Readings.reading(other, 0, Readings.newProbe()).toString());

            assertThat(response.statusCode()).as("answer %s", response.body()).isEqualTo(403);
        }
    }

    @Test
    void anHttpsPublishWithoutAClientCertificate_isRefused(Deployment deployment) throws Exception {
        String thing = deployment.thingName();
        try (HttpsDevice anonymous = HttpsDevice.withoutCertificate(deployment)) {
            HttpResponse<String> response;
            try {
                response = anonymous.publish("devices/" + thing + "/telemetry",
                        Readings.reading(thing, 0, Readings.newProbe()).toString());
            } catch (IOException refusedInTheHandshake) {
                return;
            }
            assertThat(response.statusCode()).as("answer %s", response.body()).isIn(401, 403);
        }
    }

    @Test
    void anMqttPublishToAnotherThingsTopic_isRefused(Deployment deployment) throws Exception {
        String other = deployment.thingName() + "-not-mine";
        try (Device device = Device.connect(deployment)) {
            Throwable refusal = catchThrowable(() -> device.publish("devices/" + other + "/telemetry",
                    Readings.reading(other, 0, Readings.newProbe()).toString()));

            assertRefusedByTheBroker(refusal);
        }
    }

    @Test
    void anMqttConnectionWhoseClientIdIsNotTheThingName_isRefused(Deployment deployment) throws Exception {
        try (Device impostor = Device.of(deployment, deployment.thingName() + "-impostor")) {
            Throwable refusal = catchThrowable(impostor::connect);

            assertRefusedByTheBroker(refusal);
            assertThat(impostor.isConnected()).isFalse();
        }
    }

    /** MQTT 5 says NOT_AUTHORIZED (0x87) in the PUBACK or CONNACK; IoT Core may close the connection instead. */
    private static void assertRefusedByTheBroker(Throwable thrown) {
        assertThat(thrown).as("the broker's refusal").isNotNull();
        Throwable cause = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
        if (cause instanceof Mqtt5PubAckException puback) {
            assertThat(puback.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        } else if (cause instanceof Mqtt5ConnAckException connack) {
            assertThat(connack.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        } else {
            assertThat(cause).isInstanceOfAny(ConnectionClosedException.class, Mqtt5DisconnectException.class);
        }
    }
}
