package dev.edgewire.faults;

import dev.edgewire.contract.Outputs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.local.LocalCloud;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The readings of one device that local mode kept in its failure queues, read as a user would, with
 * the SDK against the queue URLs of the outputs file: {@code ReadingsDeadLettersQueueUrl} holds the
 * readings the fan-out failed on every receive (the message is the rule's output),
 * {@code FailedDeliveriesQueueUrl} the rules' error-action messages (the reading is the
 * {@code base64OriginalPayload}).
 *
 * @param deadLetters seqs in the readings' dead-letter queue
 * @param deliveries  seqs in the failed-deliveries queue
 */
record KeptReadings(Set<Long> deadLetters, Set<Long> deliveries) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough that one listing sees every message once. */
    private static final int HIDE_SECONDS = 600;

    /** Every seq of {@code deviceId} in either queue. */
    Set<Long> all() {
        Set<Long> all = new TreeSet<>(deadLetters);
        all.addAll(deliveries);
        return all;
    }

    /** Reads both queues to the end; what was read stays hidden from other readers for 10 minutes. */
    static KeptReadings of(Map<String, String> outputs, String deviceId) {
        return byDevice(outputs, deviceId::equals).getOrDefault(deviceId, new KeptReadings(Set.of(), Set.of()));
    }

    /**
     * The kept readings of every device {@code which} passes, by device, from one reading of both queues (what
     * was read stays hidden from other readers for 10 minutes, so a second reading would not see it).
     */
    static Map<String, KeptReadings> byDevice(Map<String, String> outputs, java.util.function.Predicate<String> which) {
        try (SqsClient sqs = SqsClient.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create(outputs.get(Outputs.SQS_ENDPOINT)))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            Map<String, KeptReadings> kept = new java.util.TreeMap<>();
            for (String body : drain(sqs, outputs.get(Outputs.READINGS_DEAD_LETTERS_QUEUE_URL))) {
                JsonNode reading = JSON.readTree(body);
                String deviceId = reading.path("deviceId").asText();
                if (which.test(deviceId)) {
                    kept.computeIfAbsent(deviceId, d -> new KeptReadings(new TreeSet<>(), new TreeSet<>()))
                            .deadLetters().add(reading.path("seq").asLong());
                }
            }
            for (String body : drain(sqs, outputs.get(Outputs.FAILED_DELIVERIES_QUEUE_URL))) {
                byte[] payload = Base64.getDecoder().decode(JSON.readTree(body).path("base64OriginalPayload").asText());
                JsonNode reading = JSON.readTree(payload);
                String deviceId = reading.path("deviceId").asText();
                if (which.test(deviceId)) {
                    kept.computeIfAbsent(deviceId, d -> new KeptReadings(new TreeSet<>(), new TreeSet<>()))
                            .deliveries().add(reading.path("seq").asLong());
                }
            }
            return kept;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> drain(SqsClient sqs, String queueUrl) {
        List<String> bodies = new java.util.ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(HIDE_SECONDS).waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                return bodies;
            }
            batch.forEach(m -> bodies.add(m.body()));
        }
    }
}
