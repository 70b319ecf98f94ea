package dev.edgewire.telemetry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.broadcast.BroadcastResult;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.Continuation;
import dev.edgewire.broadcast.ContinuationEvent;
import dev.edgewire.broadcast.Deadline;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.broadcast.Frames;
import dev.edgewire.broadcast.ShardEvent;
import dev.edgewire.broadcast.ShardOutcome;
import dev.edgewire.connection.Watcher;
import dev.edgewire.contract.Metrics;
import dev.edgewire.contract.Topology;
import dev.edgewire.queue.ReadingsQueueClient;
import dev.edgewire.runtime.FunctionMetrics;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Logging;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Fan-out of device readings: Lambda's event source mapping hands it a batch from the readings
 * queue, each message a topic rule's JSON output (the reading's fields plus {@code deviceId},
 * {@code topic} and {@code receivedAt}). It turns the batch into {@code {"type":"telemetry",...}}
 * envelopes and sends every WebSocket connection as few messages as API Gateway's 32 KB unit allows
 * ({@link Frames}): one reading as its envelope, several as a batch frame.
 *
 * <p>A message that is not a usable reading is logged and dropped: it is not reported as failed, so
 * it is not received again and nothing else is held up. When the connection ids cannot be read, or a
 * broadcast's hand-over fails, the batch's readings are reported as failed and the queue hands them
 * out again after its visibility timeout (and to its dead-letter queue after the last receive).
 * Connection ids come from a {@link ConnectionIdCache}, so the cost per batch stays flat as the rate
 * grows.
 *
 * <p>Each invocation writes one metrics document ({@link FunctionMetrics}): a batch its readings in, and
 * once delivered the audience and the age of its oldest reading; every invocation that posts (a batch
 * posted here, a worker's shard, a continuation) its own posts, so a post is counted once, by the
 * invocation that made it.
 */
public final class FanOutHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    private static final Logger LOG = LoggerFactory.getLogger(FanOutHandler.class);
    private static final TypeReference<Map<String, Object>> RULE_OUTPUT = new TypeReference<>() { };

    /** Fields the topic rule adds; the rest is the reading as the device sent it. */
    static final String DEVICE_ID = "deviceId";
    static final String TOPIC = "topic";
    static final String RECEIVED_AT = "receivedAt";
    /** The certificate id the general/inbound rule adds; the device's identity for an HTTPS publish. */
    static final String PRINCIPAL = "principal";
    /** What the rule's {@code clientid()} gives for a publish that did not come over MQTT. */
    static final String NOT_MQTT = "n/a";

    /**
     * Time kept back from the function's limit for the posts in flight (each bounded by the HTTP
     * client's timeouts) and the hand-over of the rest.
     */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    private final ConnectionIdCache connectionIds;
    private final Broadcaster broadcaster;
    private final Continuation continuation;
    private final ReadingsQueueClient queue;
    private final Coalescing coalescing;
    private final Sharding sharding;
    private final FunctionMetrics metrics;

    /**
     * @param queue deletes what {@code coalescing} received; may be {@code null} with {@link Coalescing#NONE}
     * @param metrics where each invocation's counts go, once, at its end
     */
    public FanOutHandler(ConnectionIdCache connectionIds, Broadcaster broadcaster, Continuation continuation,
                         ReadingsQueueClient queue, Coalescing coalescing, Sharding sharding, FunctionMetrics metrics) {
        this.connectionIds = Objects.requireNonNull(connectionIds, "connectionIds");
        this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
        this.continuation = Objects.requireNonNull(continuation, "continuation");
        this.coalescing = Objects.requireNonNull(coalescing, "coalescing");
        this.sharding = Objects.requireNonNull(sharding, "sharding");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.queue = queue;
        if (queue == null && coalescing != Coalescing.NONE) {
            throw new IllegalArgumentException("coalescing receives from the queue, so the fan-out needs it to delete");
        }
    }

    /**
     * A batch from the readings queue, answered with the messages to receive again; or the rest of a
     * broadcast an earlier invocation handed over ({@link ContinuationEvent}), answered with nothing.
     */
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        long started = System.nanoTime();
        return Logging.withContext(context, () -> {
            FunctionMetrics.Tally tally = metrics.start();
            try {
                return handle(event, started, tally, context);
            } finally {
                tally.flush();
            }
        });
    }

    private Map<String, Object> handle(Map<String, Object> event, long started, FunctionMetrics.Tally tally,
                                       Context context) {
        Deadline deadline = Deadline.of(context, DEADLINE_MARGIN);
        ShardEvent shard = ShardEvent.from(event);
        if (shard != null) {
            return work(shard, deadline, tally, context).toAnswer();
        }
        ContinuationEvent continued = ContinuationEvent.from(event);
        if (continued != null) {
            send(continued.connectionIds(), continued.payload(), continued.attempt(), deadline, tally, context);
            return null;
        }
        SqsBatch batch = SqsBatch.from(event);
        if (batch == null) {
            LOG.warn("ignored an event that is neither a batch from the readings queue nor a continuation");
            return null;
        }
        return deliver(batch, started, deadline, tally, context);
    }

    /**
     * One envelope to deliver: a reading from {@code deviceId}, received by the topic rule at
     * {@code receivedAt} (epoch ms, or -1 when the rule output has none), or a message ({@code deviceId}
     * null), which every watcher gets.
     */
    private record Item(String envelope, String deviceId, long receivedAt) {
    }

    private Map<String, Object> deliver(SqsBatch batch, long started, Deadline deadline, FunctionMetrics.Tally tally,
                                        Context context) {
        List<SqsBatch.Message> usable = new ArrayList<>();
        List<Item> items = new ArrayList<>();
        Set<String> senders = new LinkedHashSet<>();
        for (SqsBatch.Message message : batch.messages()) {
            countReading(message.kind(), tally);
            Item item = item(message.messageId(), message.body(), message.kind(), senders);
            if (item != null) {
                usable.add(message);
                items.add(item);
            }
        }
        // A full batch says the queue holds more, and deliveries are paced: take what waits along.
        List<ReadingsQueueClient.Received> more = coalescing.more(batch.messages().size(),
                batch.messages().size() >= Topology.ReadingsQueue.BATCH_SIZE, started, deadline);
        for (ReadingsQueueClient.Received message : more) {
            countReading(message.kind(), tally);
            Item item = item(message.messageId(), message.body(), message.kind(), senders);
            if (item != null) {
                items.add(item);
            }
        }
        if (items.isEmpty()) {
            deleteCoalesced(more);
            return SqsBatch.failures(List.of());
        }
        try {
            // Watchers with the same choice of devices get the same frames, built once.
            List<ShardEvent> deliveries = new ArrayList<>();
            int audience = 0;
            for (Map.Entry<Optional<Set<String>>, List<String>> group : groups(audience(senders)).entrySet()) {
                Set<String> devices = group.getKey().orElse(null);
                List<String> envelopes = items.stream()
                        .filter(item -> item.deviceId() == null || devices == null || devices.contains(item.deviceId()))
                        .map(Item::envelope)
                        .toList();
                if (!envelopes.isEmpty()) {
                    deliveries.add(new ShardEvent(Frames.pack(envelopes), group.getValue()));
                    audience += group.getValue().size();
                }
            }
            if (audience <= sharding.shardSize()) {
                for (ShardEvent delivery : deliveries) {
                    for (String frame : delivery.frames()) {
                        send(delivery.connectionIds(), frame, 1, deadline, tally, context);
                    }
                }
            } else {
                runShards(shards(deliveries), context);
            }
            tally.count(Metrics.CONNECTIONS, audience);
            long oldest = items.stream().mapToLong(Item::receivedAt).filter(t -> t >= 0).min().orElse(-1);
            if (audience > 0 && oldest >= 0) {
                tally.maximum(Metrics.FAN_OUT_LAG, Math.max(0, System.currentTimeMillis() - oldest), MetricUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            // The coalesced ones are not deleted: the queue hands them out again after its visibility timeout.
            LOG.warn("fan-out of {} readings failed; the queue hands them out again: {}", items.size(), e.toString());
            return SqsBatch.failures(usable);
        }
        deleteCoalesced(more);
        if (!more.isEmpty()) {
            LOG.info("delivered a batch of {} with {} more received while coalescing", batch.messages().size(), more.size());
        }
        return SqsBatch.failures(List.of());
    }

    /** A rule output counts as a reading in as it is received, usable or not; a watcher's message does not. */
    private static void countReading(String kind, FunctionMetrics.Tally tally) {
        tally.count(Metrics.READINGS_IN, Topology.ReadingsQueue.KIND_MESSAGE.equals(kind) ? 0 : 1);
    }

    /** Connection ids by their choice of devices (empty: every device), the largest group first. */
    private static Map<Optional<Set<String>>, List<String>> groups(List<Watcher> watchers) {
        Map<Optional<Set<String>>, List<String>> groups = new HashMap<>();
        for (Watcher watcher : watchers) {
            groups.computeIfAbsent(Optional.ofNullable(watcher.devices()), k -> new ArrayList<>()).add(watcher.connectionId());
        }
        Map<Optional<Set<String>>, List<String>> bySize = new LinkedHashMap<>();
        groups.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<Optional<Set<String>>, List<String>> e) -> e.getValue().size()).reversed())
                .forEach(e -> bySize.put(e.getKey(), e.getValue()));
        return bySize;
    }

    /**
     * The audience. When a message comes from a connection the cached watchers do not hold, they
     * are older than that connection, and others may have joined since too: they are read again.
     * So a client that connects and sends at once sees its own message, and so does everyone who
     * connected before it sent. The sender is added, with every device, even if the new read misses it.
     */
    private List<Watcher> audience(Set<String> senders) {
        List<Watcher> watchers = connectionIds.watchers();
        if (senders.isEmpty() || holdsAll(watchers, senders)) {
            return watchers;
        }
        watchers = connectionIds.readNow();
        Set<String> missing = new LinkedHashSet<>(senders);
        watchers.forEach(w -> missing.remove(w.connectionId()));
        if (missing.isEmpty()) {
            return watchers;
        }
        List<Watcher> audience = new ArrayList<>(watchers.size() + missing.size());
        audience.addAll(watchers);
        missing.forEach(sender -> audience.add(Watcher.ofAll(sender)));
        return audience;
    }

    private static boolean holdsAll(List<Watcher> watchers, Set<String> connectionIds) {
        Set<String> missing = new HashSet<>(connectionIds);
        for (Watcher watcher : watchers) {
            missing.remove(watcher.connectionId());
            if (missing.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Deletes what coalescing received; one left behind is delivered again after the visibility timeout. */
    private void deleteCoalesced(List<ReadingsQueueClient.Received> more) {
        if (more.isEmpty()) {
            return;
        }
        try {
            int left = queue.delete(more);
            if (left > 0) {
                LOG.warn("{} of {} coalesced readings were not deleted; watchers get them again", left, more.size());
            }
        } catch (RuntimeException e) {
            LOG.warn("deleting {} coalesced readings failed; watchers get them again: {}", more.size(), e.toString());
        }
    }

    /** Each delivery's connections in runs of at most the shard size, with the delivery's frames. */
    private List<ShardEvent> shards(List<ShardEvent> deliveries) {
        List<ShardEvent> shards = new ArrayList<>();
        for (ShardEvent delivery : deliveries) {
            List<String> ids = delivery.connectionIds();
            for (int from = 0; from < ids.size(); from += sharding.shardSize()) {
                shards.add(new ShardEvent(delivery.frames(), ids.subList(from, Math.min(ids.size(), from + sharding.shardSize()))));
            }
        }
        return shards;
    }

    /**
     * Hands every shard to a worker, at most {@link Sharding#inFlight()} at once, and waits for them.
     * A worker that fails is tried once more; then its shard is handed over as continuations (the
     * posts it made may be made twice). Only when even that fails does the batch fail.
     */
    private void runShards(List<ShardEvent> shards, Context context) {
        Semaphore slots = new Semaphore(sharding.inFlight());
        Queue<RuntimeException> lost = new ConcurrentLinkedQueue<>();
        LongAdder delivered = new LongAdder();
        LongAdder handedOver = new LongAdder();
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        long started = System.nanoTime();
        try (ExecutorService running = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ShardEvent shard : shards) {
                slots.acquireUninterruptibly();
                running.execute(() -> {
                    if (logContext != null) {
                        MDC.setContextMap(logContext);
                    }
                    try {
                        ShardOutcome outcome = runShard(shard, context);
                        connectionIds.forget(outcome.goneConnectionIds());
                        delivered.add(outcome.delivered());
                        handedOver.add(outcome.handedOver());
                    } catch (RuntimeException e) {
                        lost.add(e);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        LOG.info("{} shards of at most {} connections: delivered={} handedOver={} lost={} durationMs={}", shards.size(),
                sharding.shardSize(), delivered.sum(), handedOver.sum(), lost.size(), (System.nanoTime() - started) / 1_000_000);
        if (!lost.isEmpty()) {
            throw new IllegalStateException(lost.size() + " of " + shards.size() + " shards could not be delivered or handed over",
                    lost.peek());
        }
    }

    private ShardOutcome runShard(ShardEvent shard, Context context) {
        RuntimeException first;
        try {
            return sharding.workers().deliver(shard, context);
        } catch (RuntimeException e) {
            first = e;
        }
        LOG.warn("a worker for {} connections failed, trying once more: {}", shard.connectionIds().size(), first.toString());
        try {
            return sharding.workers().deliver(shard, context);
        } catch (RuntimeException e) {
            LOG.warn("a worker for {} connections failed again; handing its {} frames over: {}", shard.connectionIds().size(),
                    shard.frames().size(), e.toString());
        }
        for (String frame : shard.frames()) {
            continuation.handOver(frame, shard.connectionIds(), 2, context);
        }
        return new ShardOutcome(0, List.of(), shard.frames().size() * shard.connectionIds().size());
    }

    /** A worker's part: every frame, in order, to every connection of the shard. */
    private ShardOutcome work(ShardEvent shard, Deadline deadline, FunctionMetrics.Tally tally, Context context) {
        int delivered = 0;
        int handedOver = 0;
        Set<String> gone = new LinkedHashSet<>();
        for (String frame : shard.frames()) {
            BroadcastResult result = send(shard.connectionIds(), frame, 1, deadline, tally, context);
            delivered += result.delivered();
            handedOver += result.unsent().size() + result.failedConnectionIds().size();
            gone.addAll(result.goneConnectionIds());
        }
        return new ShardOutcome(delivered, List.copyOf(gone), handedOver);
    }

    /**
     * Posts until the deadline, then hands the rest over as the same attempt; posts that failed are
     * handed over as the next attempt, and after the last one the invocation fails, so that Lambda
     * retries it and then keeps it in the on-failure destination. A failed hand-over fails the
     * invocation too.
     */
    private BroadcastResult send(List<String> ids, String frame, int attempt, Deadline deadline,
                                 FunctionMetrics.Tally tally, Context context) {
        BroadcastResult result = broadcaster.toEach(ids, frame, deadline);
        tally.count(Metrics.FRAMES_DELIVERED, result.delivered())
                .count(Metrics.READINGS_DELIVERED, (long) result.delivered() * (result.delivered() == 0 ? 0 : Frames.readings(frame)))
                .count(Metrics.POSTS_GONE, result.gone())
                .count(Metrics.POSTS_FAILED, result.failed());
        connectionIds.forget(result.goneConnectionIds());
        if (!result.unsent().isEmpty()) {
            continuation.handOver(frame, result.unsent(), attempt, context);
        }
        if (!result.failedConnectionIds().isEmpty()) {
            if (attempt >= ContinuationEvent.MAX_ATTEMPTS) {
                throw new IllegalStateException("posts to " + result.failedConnectionIds().size() + " connections failed "
                        + attempt + " times: " + result.failedConnectionIds());
            }
            continuation.handOver(frame, result.failedConnectionIds(), attempt + 1, context);
        }
        return result;
    }

    /**
     * The item a message from the queue becomes, or {@code null} (logged) when it is not usable:
     * a watcher's message ({@link Topology.ReadingsQueue#KIND_MESSAGE}) is queued as its envelope
     * already, and its sender joins {@code senders}; anything else is a topic rule's output, a reading.
     */
    private static Item item(String messageId, String body, String kind, Set<String> senders) {
        if (Topology.ReadingsQueue.KIND_MESSAGE.equals(kind)) {
            String envelope = messageEnvelope(messageId, body, senders);
            return envelope == null ? null : new Item(envelope, null, -1);
        }
        Map<String, Object> ruleOutput;
        try {
            ruleOutput = Json.MAPPER.readValue(body, RULE_OUTPUT);
        } catch (IOException | RuntimeException e) {
            LOG.warn("dropped message {}: its body is not a JSON object: {}", messageId, e.getMessage());
            return null;
        }
        if (ruleOutput == null || ruleOutput.isEmpty()) {
            LOG.warn("dropped message {}: the rule output is empty", messageId);
            return null;
        }
        JsonNode tree = Json.MAPPER.valueToTree(ruleOutput);
        String deviceId = authenticatedDevice(tree);
        if (deviceId == null) {
            LOG.warn("dropped a reading without an authenticated device from topic {}", tree.path(TOPIC).asText("?"));
            return null;
        }
        ObjectNode reading = ((ObjectNode) tree).deepCopy();
        reading.remove(TOPIC);
        reading.remove(RECEIVED_AT);
        if (Topology.Topics.GENERAL_INBOUND.equals(textOrNull(tree.get(TOPIC)))) {
            reading.remove(PRINCIPAL);
        }
        JsonNode receivedAt = tree.get(RECEIVED_AT);
        return new Item(Json.write(new Envelope.Telemetry(messageId, deviceId,
                textOrNull(tree.get(TOPIC)), ruleOutput.get(RECEIVED_AT), reading)), deviceId,
                receivedAt != null && receivedAt.isIntegralNumber() ? receivedAt.longValue() : -1);
    }

    /** A queued message envelope as sendMessage wrote it, checked to be one. */
    private static String messageEnvelope(String messageId, String body, Set<String> senders) {
        try {
            JsonNode tree = Json.MAPPER.readTree(body);
            if (tree != null && tree.isObject() && Envelope.Message.TYPE.equals(tree.path("type").asText(null))) {
                String sender = textOrNull(tree.get("from"));
                if (sender != null) {
                    senders.add(sender);
                }
                return body;
            }
        } catch (IOException | RuntimeException e) {
            // logged below
        }
        LOG.warn("dropped message {}: it is marked as a watcher's message but is not a message envelope", messageId);
        return null;
    }

    /**
     * The device as the rule identified it: the topic's thing name, or on {@code general/inbound}
     * the MQTT client id, or for an HTTPS publish there the certificate id. Never the payload's
     * claim: the rules' SQL writes {@code deviceId} over whatever the payload had.
     */
    private static String authenticatedDevice(JsonNode tree) {
        String deviceId = textOrNull(tree.get(DEVICE_ID));
        if (NOT_MQTT.equals(deviceId)) {
            deviceId = textOrNull(tree.get(PRINCIPAL));
        }
        return deviceId == null || deviceId.isBlank() ? null : deviceId;
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
