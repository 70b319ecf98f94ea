package dev.edgewire.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What local mode's SQS service keeps on disk across restarts: each service its own folder's messages,
 * and a message its redrive policy moved to the dead-letter queue in the dead-letter queue only, with
 * the messages sent after that restart still kept.
 */
class LocalSqsIT {

    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("LOCALKEY", "local-secret"));

    private static LocalSqs start(Path dir) throws Exception {
        return LocalSqs.start("127.0.0.1", 0, dir, Region.US_EAST_1, CREDENTIALS, new dev.edgewire.local.cost.CostMeter());
    }

    /** The source queue and its dead-letter queue, after one receive, with a visibility timeout of 1 s. */
    private static List<String> queues(LocalSqs sqs) {
        String deadLetters = sqs.createQueue("readings-dead-letters", Map.of());
        String arn = sqs.client().getQueueAttributes(b -> b.queueUrl(deadLetters)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String readings = sqs.createQueue("readings", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1",
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":1}"));
        return List.of(readings, deadLetters);
    }

    private static long depth(LocalSqs sqs, String url) {
        Map<QueueAttributeName, String> a = sqs.client().getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void aMessageMovedToTheDeadLetterQueueDuringALongPoll_staysOnlyThere_andLaterMessagesAreStillKept(
            @TempDir Path dir) throws Exception {
        try (LocalSqs sqs = start(dir)) {
            List<String> q = queues(sqs);
            sqs.client().sendMessage(b -> b.queueUrl(q.get(0)).messageBody("fails every time"));
            List<Message> first = sqs.client().receiveMessage(b -> b.queueUrl(q.get(0)).waitTimeSeconds(1)).messages();
            assertThat(first).hasSize(1);
            Thread.sleep(1_500); // the visibility timeout passes; the next receive is past maxReceiveCount
            // A long poll, as an event source mapping's: the receive moves the message and, finding nothing
            // else, waits.
            List<Message> second = sqs.client().receiveMessage(b -> b.queueUrl(q.get(0)).waitTimeSeconds(1)).messages();
            assertThat(second).isEmpty();
            assertThat(depth(sqs, q.get(0))).isZero();
            assertThat(depth(sqs, q.get(1))).isEqualTo(1);
        }
        try (LocalSqs sqs = start(dir)) {
            List<String> q = queues(sqs);
            assertThat(depth(sqs, q.get(0))).as("the moved message is not back in its source queue").isZero();
            assertThat(depth(sqs, q.get(1))).isEqualTo(1);
            for (int i = 0; i < 3; i++) {
                String body = "sent after the restart " + i;
                sqs.client().sendMessage(b -> b.queueUrl(q.get(0)).messageBody(body));
            }
        }
        try (LocalSqs sqs = start(dir)) {
            List<String> q = queues(sqs);
            assertThat(depth(sqs, q.get(0))).as("the messages sent after the first restart").isEqualTo(3);
            assertThat(depth(sqs, q.get(1))).isEqualTo(1);
        }
    }

    @Test
    void twoServicesOneAfterTheOther_eachKeepItsOwnFolder(@TempDir Path one, @TempDir Path two) throws Exception {
        try (LocalSqs sqs = start(one)) {
            String url = sqs.createQueue("readings", Map.of());
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody("kept in the first folder"));
        }
        try (LocalSqs sqs = start(two)) {
            String url = sqs.createQueue("readings", Map.of());
            assertThat(depth(sqs, url)).as("a fresh folder holds no message").isZero();
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody("kept in the second folder"));
        }
        try (LocalSqs sqs = start(one)) {
            String url = sqs.createQueue("readings", Map.of());
            List<Message> kept = sqs.client().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages();
            assertThat(kept).extracting(Message::body).containsExactly("kept in the first folder");
        }
        assertThat(two.resolve("messages.mv.db")).exists();
    }
}
