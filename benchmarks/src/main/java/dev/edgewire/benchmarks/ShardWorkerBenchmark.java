package dev.edgewire.benchmarks;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.broadcast.Frames;
import dev.edgewire.broadcast.ShardEvent;
import dev.edgewire.broadcast.ShardOutcome;
import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.lambda.LambdaContext;
import dev.edgewire.wiring.CloudServices;
import dev.edgewire.wiring.HandlerFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * W4's measured input: what one fan-out worker achieves on one shard. The fan-out handler, wired by
 * {@link HandlerFactory} as Lambda wires it ({@link Topology.Defaults#BROADCAST_CONCURRENCY} posts in
 * flight), runs in this JVM and is invoked with a shard event of watchers of local mode (a child JVM,
 * the {@code @connections} endpoint), after a case's load, and real telemetry frames.
 * The worker's own CPU is read apart: its posts run on virtual threads, and nothing else in this JVM
 * does, so the carrier threads' CPU time is the worker's.
 */
final class ShardWorkerBenchmark {

    /**
     * One shape of shard, repeated.
     *
     * @param readings          telemetry readings packed into the shard's frames
     * @param frames            frames each watcher gets ({@link Frames#pack})
     * @param envelopeBytes     one reading's envelope as a watcher receives it
     * @param seconds           the worker invocation, from event to answer
     * @param postsPerSecond    posts (watchers x frames) per second of the invocation
     * @param workerMicrosPerPost CPU of the worker per post (signing, the HTTP client, the handler)
     * @param endpointMicrosPerPost CPU of local mode per post (the {@code @connections} endpoint and the WebSocket write)
     * @param clientMicrosPerPost CPU of the watchers per message received (this JVM less the worker)
     */
    record Shape(int connections, int readings, int frames, int envelopeBytes, int inFlight, Spread seconds,
                 Spread postsPerSecond, Spread workerMicrosPerPost, Spread endpointMicrosPerPost, Spread clientMicrosPerPost) {
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ShardWorkerBenchmark() {
    }

    /**
     * Shards of {@code readingsPerShape} readings each, {@code reps} times each after two unmeasured ones,
     * to the first {@code connections} of local mode's watchers (which must be at least that many).
     */
    static List<Shape> run(LocalModeProcess local, Watchers watchers, int connections, List<Integer> readingsPerShape, int reps)
            throws Exception {
        List<Shape> shapes = new ArrayList<>();
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey()));
        int inFlight = Topology.Defaults.BROADCAST_CONCURRENCY;
        CloudServices services = CloudServices.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                .dynamoDbEndpoint(local.dynamoDbEndpoint()).callbackUrl(local.callbackUrl())
                .connectionsTable(LocalCloud.TABLE_NAME).broadcastConcurrency(inFlight)
                .readingsQueueUrl(local.output(Outputs.READINGS_QUEUE_URL))
                .sqsEndpoint(URI.create(local.output(Outputs.SQS_ENDPOINT)))
                .workers((shard, context) -> {
                    throw new IllegalStateException("a worker does not hand out shards");
                })
                .continuation((payload, ids, attempt, context) -> {
                    throw new IllegalStateException("a shard of " + ids.size() + " was not finished in time");
                })
                .build();
        @SuppressWarnings("unchecked")
        RequestHandler<Map<String, Object>, Map<String, Object>> worker =
                (RequestHandler<Map<String, Object>, Map<String, Object>>) HandlerFactory.create(Topology.Function.FAN_OUT, services);
        List<String> all = services.connections().connectionIds();
        if (all.size() < connections) {
            throw new IllegalStateException("table holds " + all.size() + " connections, need " + connections);
        }
        List<String> ids = all.subList(0, connections);
        long seq = 0;
        for (int readings : readingsPerShape) {
            List<String> envelopes = new ArrayList<>();
            for (int i = 0; i < readings; i++) {
                envelopes.add(envelope(seq++));
            }
            List<String> frames = Frames.pack(envelopes);
            ShardEvent shard = new ShardEvent(frames, ids);
            List<Double> seconds = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            List<Double> workerCpu = new ArrayList<>();
            List<Double> endpointCpu = new ArrayList<>();
            List<Double> clientCpu = new ArrayList<>();
            int posts = connections * frames.size();
            for (int rep = -2; rep < reps; rep++) {
                long before = watchers.messages();
                long carrier0 = carrierCpuNanos();
                long process0 = OS.getProcessCpuTime();
                long local0 = local.cpuMillis();
                long t0 = System.nanoTime();
                Map<String, Object> answer = worker.handleRequest(shard.toEvent(),
                        LambdaContext.of(Topology.Function.FAN_OUT, UUID.randomUUID().toString(), line -> { }));
                double s = (System.nanoTime() - t0) / 1e9;
                ShardOutcome outcome = ShardOutcome.from(answer);
                if (outcome == null || outcome.delivered() != posts) {
                    throw new IllegalStateException("the worker answered " + answer + ", expected " + posts + " posts delivered");
                }
                awaitMessages(watchers, before + posts);
                long carrier = carrierCpuNanos() - carrier0;
                long process = OS.getProcessCpuTime() - process0;
                long localCpu = local.cpuMillis() - local0;
                if (rep >= 0) {
                    seconds.add(s);
                    rates.add(posts / s);
                    workerCpu.add(carrier / 1e3 / posts);
                    endpointCpu.add(localCpu * 1e3 / posts);
                    clientCpu.add((process - carrier) / 1e3 / posts);
                }
            }
            shapes.add(new Shape(connections, readings, frames.size(), Frames.bytes(envelopes.getFirst()), inFlight,
                    Spread.of(seconds), Spread.of(rates), Spread.of(workerCpu), Spread.of(endpointCpu), Spread.of(clientCpu)));
        }
        return shapes;
    }

    /** A telemetry envelope exactly as the fan-out builds it from the benchmark's readings. */
    static String envelope(long seq) {
        // A thing the watchers do not count (no number after the prefix), so a case's own tally is untouched.
        String thing = FanOutBenchmark.DEVICE_PREFIX + "worker";
        JsonNode reading = Json.MAPPER.valueToTree(Json.MAPPER.convertValue(
                readTree(FanOutBenchmark.reading(thing, seq, 1_000_000_000L)), Map.class));
        return Json.write(new Envelope.Telemetry(java.util.UUID.randomUUID().toString(), thing, "devices/" + thing + "/telemetry", System.currentTimeMillis(), reading));
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitMessages(Watchers watchers, long total) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (watchers.messages() < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("watchers received " + watchers.messages() + " of " + total + " messages");
            }
            Thread.sleep(2);
        }
    }

    /** CPU time of the threads that carry virtual threads. */
    private static long carrierCpuNanos() {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getClass().getName().equals("jdk.internal.misc.CarrierThread")) {
                long cpu = THREADS.getThreadCpuTime(t.threadId());
                sum += Math.max(0, cpu);
            }
        }
        return sum;
    }
}
