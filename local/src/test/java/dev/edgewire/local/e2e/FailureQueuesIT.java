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
 * A reading whose fan-out fails every attempt is kept in the failed-invocations queue, as Lambda's
 * on-failure destination keeps it, listable with any SQS client, and still there after a restart.
 */
class FailureQueuesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @Test
    void aReadingWhoseFanOutFailsEveryAttempt_isKeptAsAnInvocationRecord_acrossARestart() throws Exception {
        LocalConfig config = LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1"));
        String queueUrl;
        try (LocalCloud cloud = LocalCloud.start(config)) {
            Map<String, String> outputs = cloud.outputs();
            queueUrl = outputs.get("FailedInvocationsQueueUrl");
            assertThat(queueUrl).isNotEqualTo(outputs.get("FailedDeliveriesQueueUrl"));
            // The fan-out reads the connection ids from the store: with the store down, every attempt fails.
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
                // Three attempts, 2 s and 4 s apart, each failing after the SDK's own retries.
                Message kept = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> peek(sqs, queueUrl), m -> m != null);
                JsonNode record = JSON.readTree(kept.body());
                assertThat(record.path("version").asText()).isEqualTo("1.0");
                assertThat(record.path("timestamp").asText()).isNotEmpty();
                assertThat(record.path("requestContext").path("requestId").asText()).isNotEmpty();
                assertThat(record.path("requestContext").path("functionArn").asText())
                        .endsWith(":function:edgewire-FanOut:$LATEST");
                assertThat(record.path("requestContext").path("condition").asText()).isEqualTo("RetriesExhausted");
                assertThat(record.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(3);
                assertThat(record.path("requestPayload").path("deviceId").asText()).isEqualTo("thing-1");
                assertThat(record.path("requestPayload").path("seq").asLong()).isEqualTo(7);
                assertThat(record.path("requestPayload").path("topic").asText()).isEqualTo("devices/thing-1/telemetry");
                assertThat(record.path("responseContext").path("statusCode").asInt()).isEqualTo(200);
                assertThat(record.path("responseContext").path("executedVersion").asText()).isEqualTo("$LATEST");
                assertThat(record.path("responseContext").path("functionError").asText()).isEqualTo("Unhandled");
                assertThat(record.path("responsePayload").path("errorType").asText()).isNotEmpty();
                assertThat(record.path("responsePayload").path("errorMessage").asText()).isNotEmpty();
            }
            // The record can be received before its sender has had SQS's answer and counted it.
            await().atMost(Duration.ofSeconds(10)).until(cloud::keptFailures, kept -> kept == 1);
            assertThat(cloud.unkeptFailures()).isZero();
            cloud.startStore();
        }

        // The queue and its message live on disk with the rest of local mode's state.
        try (LocalCloud again = LocalCloud.start(config);
             SqsClient sqs = sqs(again.outputs().get("SqsEndpoint"))) {
            String url = again.outputs().get("FailedInvocationsQueueUrl");
            Message kept = await().atMost(Duration.ofSeconds(10)).until(() -> peek(sqs, url), m -> m != null);
            assertThat(JSON.readTree(kept.body()).path("requestPayload").path("seq").asLong()).isEqualTo(7);
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
