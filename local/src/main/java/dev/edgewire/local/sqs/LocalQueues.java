package dev.edgewire.local.sqs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Local mode's queues on its SQS service, as the stack makes them on AWS: the readings queue between
 * the topic rules and the fan-out, with its dead-letter queue after
 * {@value Topology.ReadingsQueue#MAX_RECEIVE_COUNT} receives; and the two queues that keep failures
 * for a user to list (failed deliveries gets the topic rules' error-action messages, failed
 * invocations is Lambda's on-failure destination of the fan-out's continuations). The service starts
 * in the background because it is slow to start.
 *
 * <p>Failure records are sent off the caller's thread, so neither a publisher nor an invocation waits
 * on the service; a record that cannot be sent is logged whole.
 */
public final class LocalQueues implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalQueues.class);
    /**
     * The deployed queues' retention, asked for here too; ElasticMQ accepts the attribute and ignores it,
     * so local records stay until someone deletes them.
     */
    private static final Duration RETENTION = Duration.ofDays(14);

    private final CompletableFuture<Started> starting;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final ObjectMapper compact = new ObjectMapper();
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong unkept = new AtomicLong();

    /** The queue names and the readings queue's visibility timeout. */
    public record Names(String readings, String readingsDeadLetters, String failedDeliveries, String failedInvocations,
                        Duration readingsVisibilityTimeout) {
    }

    /** The SQS service and the URLs of the queues on it. */
    private record Started(LocalSqs sqs, String readings, String readingsArn, String readingsDeadLetters,
                           String failedDeliveries, String failedInvocations) {
    }

    private LocalQueues(CompletableFuture<Started> starting) {
        this.starting = starting;
    }

    /**
     * Starts the SQS service on {@code host}:{@code port} (0: a free port) with its data under
     * {@code dataDir}, and creates the queues there unless an earlier run did; returns at once. Once the
     * queues exist, {@code meter} counts every call the service serves.
     */
    public static LocalQueues start(String host, int port, Path dataDir, Region region,
                                    AwsCredentialsProvider credentials, Names names, CostMeter meter) {
        return new LocalQueues(CompletableFuture.supplyAsync(() -> {
            try {
                LocalSqs sqs = LocalSqs.start(host, port, dataDir, region, credentials, meter);
                String keep = Long.toString(RETENTION.toSeconds());
                Map<QueueAttributeName, String> keeping = Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, keep);
                String deadLetters = sqs.createQueue(names.readingsDeadLetters(), keeping);
                String deadLettersArn = sqs.client().getQueueAttributes(b -> b.queueUrl(deadLetters)
                        .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
                String readings = sqs.createQueue(names.readings(), Map.of(
                        QueueAttributeName.MESSAGE_RETENTION_PERIOD, keep,
                        QueueAttributeName.VISIBILITY_TIMEOUT,
                        Long.toString(names.readingsVisibilityTimeout().toSeconds()),
                        QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + deadLettersArn
                                + "\",\"maxReceiveCount\":" + Topology.ReadingsQueue.MAX_RECEIVE_COUNT + "}"));
                String readingsArn = sqs.client().getQueueAttributes(b -> b.queueUrl(readings)
                        .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
                Started started = new Started(sqs, readings, readingsArn, deadLetters,
                        sqs.createQueue(names.failedDeliveries(), keeping),
                        sqs.createQueue(names.failedInvocations(), keeping));
                sqs.startMetering();
                return started;
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, task -> Thread.ofPlatform().name("sqs-start").daemon(true).start(task)));
    }

    /** Waits until the service is up and the queues exist; rethrows why they are not. */
    public void awaitStarted() {
        started();
    }

    /** The SQS service's endpoint, for any SDK or the AWS CLI ({@code --endpoint-url}). */
    public URI endpoint() {
        return started().sqs().endpoint();
    }

    /** The queue between the topic rules and the fan-out. */
    public String readingsUrl() {
        return started().readings();
    }

    public String readingsArn() {
        return started().readingsArn();
    }

    public String readingsDeadLettersUrl() {
        return started().readingsDeadLetters();
    }

    /** A client of the SQS service, for local mode's own calls. */
    public SqsClient client() {
        return started().sqs().client();
    }

    public String failedDeliveriesUrl() {
        return started().failedDeliveries();
    }

    public String failedInvocationsUrl() {
        return started().failedInvocations();
    }

    /** Keeps a topic rule's error-action message. */
    public void toFailedDeliveries(ObjectNode message) {
        send(message, Started::failedDeliveries);
    }

    /** Keeps Lambda's invocation record of an event whose every attempt failed. */
    public void toFailedInvocations(ObjectNode record) {
        send(record, Started::failedInvocations);
    }

    /** Records sent, since start. */
    public long kept() {
        return kept.get();
    }

    /** Records that could not be sent (each logged whole), since start. */
    public long unkept() {
        return unkept.get();
    }

    private void send(ObjectNode record, Function<Started, String> queue) {
        try {
            senders.execute(() -> {
                try {
                    Started queues = started();
                    String body = compact.writeValueAsString(record);
                    queues.sqs().client().sendMessage(b -> b.queueUrl(queue.apply(queues)).messageBody(body));
                    kept.incrementAndGet();
                } catch (JsonProcessingException | RuntimeException e) {
                    lost(record, e);
                }
            });
        } catch (RejectedExecutionException closing) {
            lost(record, closing);
        }
    }

    private void lost(ObjectNode record, Exception e) {
        unkept.incrementAndGet();
        LOG.error("a failed reading could not be kept in its queue and is lost ({}): {}", e, record);
    }

    private Started started() {
        try {
            return starting.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits up to 5 s for the records on their way, then stops the SQS service. */
    @Override
    public void close() {
        senders.shutdown();
        try {
            senders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            starting.join().sqs().close();
        } catch (CompletionException e) {
            LOG.warn("the SQS service had not started: {}", e.getCause().toString());
        }
    }
}
