package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import dev.edgewire.contract.Topology.Function;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.local.cost.BillingUnits;
import dev.edgewire.local.cost.CostMeter.IotMessage;
import dev.edgewire.local.cost.Usage;
import dev.edgewire.standins.clients.WsClient;
import dev.edgewire.standins.mqtt.MqttTestClients;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The cost meter against real traffic: known clients do known things, and the meter must count exactly
 * what AWS would bill for them (each count taken as the difference across the traffic, since the event
 * source mapping's idle long polls go on meanwhile).
 */
class CostMeterIT {

    @TempDir
    static Path state;
    static LocalCloud cloud;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        cloud = LocalCloud.start(LocalConfig.defaults()
                .withStateDir(state)
                .withPorts(0, 0, 0)
                .withThings(List.of("thing-1", "thing-2")));
    }

    @AfterAll
    static void stopAndCheckTheFileItLeaves() throws Exception {
        cloud.close();
        System.out.print(cloud.costReport().table());
        JsonNode written = JSON.readTree(Files.readString(state.resolve(LocalCloud.COST_FILE)));
        assertThat(written.get("region").asText()).isEqualTo("us-east-1");
        assertThat(written.get("lines")).hasSize(9);
        assertThat(written.at("/detail/lambda/SendMessage/requests").asLong()).isEqualTo(1);
        assertThat(written.get("totalUsd").decimalValue()).isPositive();
    }

    static URI stage(String token) {
        return URI.create(cloud.outputs().get("WebSocketUrl") + "/demo?token=" + token);
    }

    static Usage usage() {
        return cloud.costReport().usage();
    }

    /**
     * A device subscribes; a browser connects and sends a 40,037-byte message in two frames, which reaches it
     * back and the device; the device publishes a reading, which reaches the browser; both leave.
     */
    @Test
    void knownTraffic_isCountedExactlyAsAwsBillsIt() throws Exception {
        Usage before = usage();
        String reading = "{\"deviceId\":\"thing-1\",\"seq\":1,\"temperature\":21.5}";
        String topic = "devices/thing-1/telemetry";
        String sent = "{\"action\":\"sendMessage\",\"message\":\"" + "m".repeat(40_000) + "\"}";
        String messageEnvelope;
        String telemetryEnvelope;
        byte[] toDevice;

        var device = MqttTestClients.client(cloud.mqttPort(), "thing-1", cloud.pki(), cloud.things().get("thing-1"));
        device.connect();
        try (var inbox = device.publishes(MqttGlobalPublishFilter.ALL)) {
            device.subscribeWith().topicFilter("general/outbound").qos(MqttQos.AT_LEAST_ONCE).send();
            try (WsClient browser = WsClient.connect(stage(cloud.token()))) {
                Thread.sleep(1_100); // the fan-out reads the connection ids at most once a second
                // One message of 40,037 bytes in two frames (API Gateway takes frames of at most 32 KB).
                browser.socket().sendText(sent.substring(0, 20_000), false).get(5, TimeUnit.SECONDS);
                browser.socket().sendText(sent.substring(20_000), true).get(5, TimeUnit.SECONDS);
                messageEnvelope = browser.next("mmmm");
                toDevice = inbox.receive(15, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes();

                device.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(reading.getBytes(StandardCharsets.UTF_8)).send();
                telemetryEnvelope = browser.next("\"seq\":1");
            }
        } finally {
            device.disconnect();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Usage now = usage();
            assertThat(now.lambdaRequests(Function.DISCONNECT) - before.lambdaRequests(Function.DISCONNECT)).isEqualTo(1);
            assertThat(now.sqsRequests("DeleteMessageBatch") - before.sqsRequests("DeleteMessageBatch")).isEqualTo(2);
            assertThat(now.iotMessages(IotMessage.MQTT_PUBACK_IN) - before.iotMessages(IotMessage.MQTT_PUBACK_IN)).isEqualTo(1);
        });
        Usage after = usage();

        // The message is 40,037 bytes: two 32 KB units in; back out, its envelope and then the reading's.
        assertThat(sent.getBytes(StandardCharsets.UTF_8)).hasSize(40_037);
        assertThat(after.webSocketMessagesIn() - before.webSocketMessagesIn()).isEqualTo(2);
        long out = BillingUnits.webSocketMessages(BillingUnits.utf8Length(messageEnvelope))
                + BillingUnits.webSocketMessages(BillingUnits.utf8Length(telemetryEnvelope));
        assertThat(out).isEqualTo(3);
        assertThat(after.webSocketMessagesOut() - before.webSocketMessagesOut()).isEqualTo(out);
        assertThat(after.webSocketConnections() - before.webSocketConnections()).isEqualTo(1);
        assertThat(after.webSocketConnectionMinutes() - before.webSocketConnectionMinutes()).isEqualTo(1);

        // The device: CONNECT, SUBSCRIBE, its reading, the envelope delivered to it (40 KB: 8 or 9 units
        // with the topic) and its PUBACK; the envelope came in as the IoT Data Plane Publish's HTTPS body,
        // answered by one small response.
        assertThat(toDevice.length).isGreaterThan(40_000);
        assertIot(before, after, IotMessage.MQTT_CONNECT, 1);
        assertIot(before, after, IotMessage.MQTT_SUBSCRIBE, 1);
        assertIot(before, after, IotMessage.MQTT_PUBLISH_IN, 1);
        assertIot(before, after, IotMessage.MQTT_PUBLISH_OUT,
                Math.ceilDiv(toDevice.length + "general/outbound".length(), 5 * 1024));
        assertIot(before, after, IotMessage.MQTT_PUBACK_IN, 1);
        assertIot(before, after, IotMessage.HTTP_REQUEST, Math.ceilDiv(toDevice.length, 5 * 1024));
        assertIot(before, after, IotMessage.HTTP_RESPONSE, 1);
        assertThat(after.iotConnections() - before.iotConnections()).isEqualTo(1);
        assertThat(after.iotConnectionMinutes() - before.iotConnectionMinutes()).isEqualTo(1);
        assertThat(after.rulesTriggered() - before.rulesTriggered()).isEqualTo(1);
        assertThat(after.actionsExecuted() - before.actionsExecuted()).isEqualTo(1);

        // The message and the reading through the queue, one after the other: sendMessage's SendMessage
        // and the rule's (sent in a batch locally, billed as AWS IoT sends it), a receive that returned
        // each, a delete each; besides, only empty long polls.
        assertThat(after.sqsRequests("SendMessage") - before.sqsRequests("SendMessage")).isEqualTo(2);
        assertThat(after.sqsRequests("SendMessageBatch") - before.sqsRequests("SendMessageBatch")).isZero();
        assertThat(after.sqsRequests("DeleteMessageBatch") - before.sqsRequests("DeleteMessageBatch")).isEqualTo(2);
        assertThat(after.sqsMessageReceives() - before.sqsMessageReceives()).isEqualTo(2);
        Set<String> actions = new HashSet<>(after.sqsRequests().keySet());
        actions.removeIf(a -> after.sqsRequests(a) == before.sqsRequests(a));
        assertThat(actions).isSubsetOf("SendMessage", "ReceiveMessage", "DeleteMessageBatch");

        // Lambda: the authorizer and $connect, sendMessage, a fan-out batch for the message and one for
        // the reading, $disconnect.
        for (Function f : Function.values()) {
            long expected = switch (f) {
                case DEFAULT, SUBSCRIBE -> 0;
                case FAN_OUT -> 2;
                default -> 1;
            };
            assertThat(after.lambdaRequests(f) - before.lambdaRequests(f)).as(f.id()).isEqualTo(expected);
            assertThat(after.lambdaBilledMillis().get(f) - before.lambdaBilledMillis().get(f)).as(f.id() + " ms")
                    .isGreaterThanOrEqualTo(expected);
        }
    }

    @Test
    void sqsCallsOfAnyClient_areCounted_eachStarted64KbOfPayloadOneRequest() {
        Usage before = usage();
        String queue = cloud.outputs().get("FailedDeliveriesQueueUrl");
        try (SqsClient sqs = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(cloud.sqsEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("any", "any")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(QueueAttributeName.ALL));
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody("x".repeat(70_000)));
            List<Message> received = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(1).waitTimeSeconds(5))
                    .messages();
            assertThat(received).hasSize(1);
            sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(received.get(0).receiptHandle()));
        }
        Usage after = usage();

        assertThat(after.sqsRequests("GetQueueAttributes") - before.sqsRequests("GetQueueAttributes")).isEqualTo(1);
        assertThat(after.sqsRequests("SendMessage") - before.sqsRequests("SendMessage")).isEqualTo(2);
        assertThat(after.sqsRequests("DeleteMessage") - before.sqsRequests("DeleteMessage")).isEqualTo(1);
        assertThat(after.sqsMessageReceives() - before.sqsMessageReceives()).isEqualTo(2);
    }

    private static void assertIot(Usage before, Usage after, IotMessage kind, long expected) {
        assertThat(after.iotMessages(kind) - before.iotMessages(kind)).as(kind.name()).isEqualTo(expected);
    }
}
