package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.standins.mqtt.MqttTestClients;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A reading goes through the readings queue: one the fan-out fails on every receive is moved by the
 * queue's redrive policy to its dead-letter queue, listable with any SQS client, and still there after a
 * restart. The visibility timeout is shortened from AWS's three minutes so that five receives take
 * under a minute; it stays longer than a failing batch takes (the SDK's retries of the Scan), as the
 * six-timeouts rule keeps it on AWS, so no reading is handed to two pollers at once.
 */
class FailureQueuesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @Test
    void aReadingTheFanOutFailsOnEveryReceive_endsInTheDeadLetterQueue_acrossARestart() throws Exception {
        LocalConfig config = LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1")).withReadingsVisibilityTimeout(Duration.ofSeconds(5));
        String deadLetters;
        try (LocalCloud cloud = LocalCloud.start(config)) {
            Map<String, String> outputs = cloud.outputs();
            deadLetters = outputs.get("ReadingsDeadLettersQueueUrl");
            assertThat(deadLetters).isNotEqualTo(outputs.get("ReadingsQueueUrl"))
                    .isNotEqualTo(outputs.get("FailedDeliveriesQueueUrl"));
            // The fan-out reads the connection ids from the store: with the store down, every batch fails.
            cloud.stopStore();
            var device = MqttTestClients.client(cloud.mqttPort(), "thing-1", cloud.pki(), cloud.things().get("thing-1"));
            device.connect();
            try {
                device.publishWith().topic("devices/thing-1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("{\"deviceId\":\"thing-1\",\"seq\":7,\"temperature\":21.5}".getBytes(StandardCharsets.UTF_8))
                        .send();
            } finally {
                device.disconnect();
            }

            try (SqsClient sqs = sqs(outputs.get("SqsEndpoint"))) {
                // Five receives, 5 s apart, each failing after the SDK's own retries of the Scan.
                Message kept = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> peek(sqs, deadLetters), m -> m != null);
                JsonNode reading = JSON.readTree(kept.body());
                assertThat(reading.path("deviceId").asText()).isEqualTo("thing-1");
                assertThat(reading.path("seq").asLong()).isEqualTo(7);
                assertThat(reading.path("topic").asText()).isEqualTo("devices/thing-1/telemetry");
                assertThat(peek(sqs, outputs.get("ReadingsQueueUrl"))).isNull();
            }
            assertThat(cloud.droppedRuleActions()).isZero();
            cloud.startStore();
        }

        // The queue and its message live on disk with the rest of local mode's state.
        try (LocalCloud again = LocalCloud.start(config);
             SqsClient sqs = sqs(again.outputs().get("SqsEndpoint"))) {
            String url = again.outputs().get("ReadingsDeadLettersQueueUrl");
            Message kept = await().atMost(Duration.ofSeconds(10)).until(() -> peek(sqs, url), m -> m != null);
            assertThat(JSON.readTree(kept.body()).path("seq").asLong()).isEqualTo(7);
        }
    }

    /** Receives one message and leaves it visible to the next receive. */
    private static Message peek(SqsClient sqs, String queueUrl) {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1)
                .visibilityTimeout(0).waitTimeSeconds(1)).messages();
        return messages.isEmpty() ? null : messages.get(0);
    }

    private static SqsClient sqs(String endpoint) {
        return SqsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
