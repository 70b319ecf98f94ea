package dev.edgewire.benchmarks;

import dev.edgewire.contract.Topology;
import dev.edgewire.broadcast.BroadcastResult;
import dev.edgewire.broadcast.ConnectionPoster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.wiring.CloudServices;
import dev.edgewire.standins.cloud.CloudStandIn;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.http.SdkHttpUtils;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * Benchmark 1: one message to N WebSocket connections held open on local mode. Three ways, same
 * connections, same run, each repetition in turn: the broadcast engine ({@code Broadcaster.toAll},
 * as the handlers call it), a one-by-one loop of posts through the same SDK client, and a load
 * generator posting pre-signed requests to {@code @connections} with many in flight (the
 * endpoint's raw rate). Rates are posts per second to the last answer; every pass must reach every
 * client.
 */
final class BroadcastBenchmark {

    /** Posts at once of the engine: as deployed (a function without {@code BROADCAST_CONCURRENCY} set). */
    static final int ENGINE_CONCURRENCY = Topology.Defaults.BROADCAST_CONCURRENCY;
    /** Posts at once of the load generator: more than the engine's, so the endpoint, not the client, limits it. */
    static final int RAW_IN_FLIGHT = 2 * ENGINE_CONCURRENCY;
    private static final String PAYLOAD = "{\"type\":\"message\",\"from\":\"bench\",\"message\":\"%s\",\"sentAt\":0}";

    /** Rates in posts/s; CPU in microseconds per post, this JVM and local mode's together, until the last client got it. */
    record Result(int connections, Spread engine, Spread loop, Spread signedLoop, Spread raw, Spread engineCpu, Spread loopCpu,
                  Spread signedLoopCpu, int warmUpPosts) {
    }

    /** Engine against loop when every post waits {@code delay} at the endpoint, as posts over a network do. */
    record Delayed(int connections, Duration delay, Spread engine, Spread loop) {
    }

    private BroadcastBenchmark() {
    }

    /**
     * Posts each path makes before the first measured pass (at least one pass): enough for the JIT to
     * compile every path's hot code, so the passes compare compiled code, as a warm Lambda runs it.
     */
    static final int WARM_UP_POSTS = 5_000;

    static List<Result> run(Path root, List<Integer> sizes, int reps, boolean warmUp) throws Exception {
        List<Result> results = new ArrayList<>();
        try (LocalModeProcess local = LocalModeProcess.start(root, List.of("thing-1"))) {
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey()));
            CloudServices services = CloudServices.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                    .dynamoDbEndpoint(local.dynamoDbEndpoint()).callbackUrl(local.callbackUrl())
                    .connectionsTable(LocalCloud.TABLE_NAME).broadcastConcurrency(ENGINE_CONCURRENCY).build();
            List<WsFleet> fleets = new ArrayList<>();
            AtomicInteger open = new AtomicInteger();
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                for (int size : sizes) {
                    int from = open.get();
                    WsFleet more = WsFleet.open(i -> local.stage("client-" + (from + i)), size - from);
                    fleets.add(more);
                    open.addAndGet(more.size());
                    List<String> ids = services.connections().connectionIds();
                    if (ids.size() != size) {
                        throw new IllegalStateException("table holds " + ids.size() + " connections, expected " + size);
                    }
                    List<Double> engine = new ArrayList<>();
                    List<Double> loop = new ArrayList<>();
                    List<Double> signedLoop = new ArrayList<>();
                    List<Double> raw = new ArrayList<>();
                    List<Double> engineCpu = new ArrayList<>();
                    List<Double> loopCpu = new ArrayList<>();
                    List<Double> signedLoopCpu = new ArrayList<>();
                    // At 10,000 connections one loop pass alone takes many seconds: fewer repetitions there.
                    int repsHere = size >= 10_000 ? Math.min(reps, 3) : reps;
                    // Passes up to 0 warm every path up (the engine goes first); the JVMs stay warm for the next size.
                    int warmPasses = warmUp && fleets.size() == 1 ? Math.ceilDiv(WARM_UP_POSTS, size) : 1;
                    for (int rep = 1 - warmPasses; rep <= repsHere; rep++) {
                        Pass e = timed(local, fleets, size, () -> {
                            BroadcastResult r = services.broadcaster().toAll(PAYLOAD.formatted("engine"));
                            return r.delivered();
                        });
                        Pass l = timed(local, fleets, size, () -> oneByOne(ConnectionPoster.of(services.managementApi()), services.connections()));
                        Pass s = timed(local, fleets, size, () -> oneByOne(services.poster(), services.connections()));
                        List<HttpRequest> prepared = presigned(local.callbackUrl(), credentials.resolveCredentials(), ids);
                        Pass w = timed(local, fleets, size, () -> loadTool(http, prepared));
                        if (rep > 0) {
                            engine.add(size / e.seconds());
                            loop.add(size / l.seconds());
                            signedLoop.add(size / s.seconds());
                            raw.add(size / w.seconds());
                            engineCpu.add(e.cpuMicrosPerPost());
                            loopCpu.add(l.cpuMicrosPerPost());
                            signedLoopCpu.add(s.cpuMicrosPerPost());
                        }
                    }
                    results.add(new Result(size, Spread.of(engine), Spread.of(loop), Spread.of(signedLoop), Spread.of(raw),
                            Spread.of(engineCpu), Spread.of(loopCpu), Spread.of(signedLoopCpu), warmPasses * size));
                }
            } finally {
                fleets.forEach(WsFleet::close);
            }
        }
        return results;
    }

    /**
     * The same engine and loop against dynalite and the functions' {@code @connections} stand-in ({@code CloudStandIn}),
     * which holds every request for {@code delay} before answering: what changes when a post costs a
     * network round trip rather than a loopback call.
     */
    static Delayed delayed(Path root, int n, Duration delay, int reps) throws Exception {
        try (DynaliteStore dynamo = DynaliteStore.start(root);
             CloudStandIn api = new CloudStandIn()) {
            CloudServices services = CloudServices.builder().region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .dynamoDbEndpoint(dynamo.endpoint()).callbackUrl(api.callbackUrl()).connectionsTable(dynamo.table())
                    .broadcastConcurrency(ENGINE_CONCURRENCY).build();
            for (int i = 0; i < n; i++) {
                services.connections().save("bench-" + i + "=", null);
            }
            api.delayEachRequest(delay);
            List<Double> engine = new ArrayList<>();
            List<Double> loop = new ArrayList<>();
            for (int rep = 0; rep <= reps; rep++) {
                api.reset();
                long t0 = System.nanoTime();
                int e = services.broadcaster().toAll(PAYLOAD.formatted("engine")).delivered();
                double engineSeconds = (System.nanoTime() - t0) / 1e9;
                int posted = api.posts().size();
                api.reset();
                t0 = System.nanoTime();
                int l = oneByOne(ConnectionPoster.of(services.managementApi()), services.connections());
                double loopSeconds = (System.nanoTime() - t0) / 1e9;
                if (e != n || l != n || posted != n || api.posts().size() != n) {
                    throw new IllegalStateException("delayed endpoint: engine " + e + ", loop " + l + " of " + n);
                }
                if (rep > 0) {
                    engine.add(n / engineSeconds);
                    loop.add(n / loopSeconds);
                }
            }
            return new Delayed(n, delay, Spread.of(engine), Spread.of(loop));
        }
    }

    /** Seconds until the last post was answered, and CPU per post until every client got it. */
    record Pass(double seconds, double cpuMicrosPerPost) {
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** Runs one pass; checks that every client got the message. */
    private static Pass timed(LocalModeProcess local, List<WsFleet> fleets, int n, PostRun run) throws Exception {
        long before = fleets.stream().mapToLong(WsFleet::received).sum();
        long cpu0 = OS.getProcessCpuTime() / 1_000 + local.cpuMillis() * 1_000;
        long t0 = System.nanoTime();
        int delivered = run.posts();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (delivered != n) {
            throw new IllegalStateException(delivered + " of " + n + " posts answered 200");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (fleets.stream().mapToLong(WsFleet::received).sum() < before + n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("clients received " + (fleets.stream().mapToLong(WsFleet::received).sum() - before)
                        + " of " + n + " messages");
            }
            Thread.sleep(2);
        }
        long cpu = OS.getProcessCpuTime() / 1_000 + local.cpuMillis() * 1_000 - cpu0;
        return new Pass(seconds, (double) cpu / n);
    }

    @FunctionalInterface
    private interface PostRun {
        int posts() throws Exception;
    }

    /** What the engine replaces: read the ids, post to each in turn. */
    static int oneByOne(ConnectionPoster poster, ConnectionRepository connections) {
        int delivered = 0;
        SdkBytes data = SdkBytes.fromUtf8String(PAYLOAD.formatted("loop"));
        for (String id : connections.connectionIds()) {
            try {
                poster.post(id, data);
                delivered++;
            } catch (GoneException e) {
                connections.delete(id);
            }
        }
        return delivered;
    }

    /** The endpoint's raw rate: one pre-signed post per connection, {@link #RAW_IN_FLIGHT} at once. */
    static int loadTool(HttpClient http, List<HttpRequest> requests) throws Exception {
        Semaphore inFlight = new Semaphore(RAW_IN_FLIGHT);
        AtomicInteger ok = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>(requests.size());
        for (HttpRequest request : requests) {
            inFlight.acquire();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                inFlight.release();
                if (e == null && r.statusCode() == 200) {
                    ok.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        return ok.get();
    }

    /**
     * One SigV4-signed request per connection, signed before the pass as a load tool replays prepared
     * requests: local mode checks every signature (valid for 5 minutes), and the load tool spends
     * nothing on signing while it is timed.
     */
    static List<HttpRequest> presigned(URI callbackUrl, software.amazon.awssdk.identity.spi.AwsCredentialsIdentity identity,
                                       List<String> ids) {
        byte[] body = PAYLOAD.formatted("raw").getBytes(StandardCharsets.UTF_8);
        AwsV4HttpSigner signer = AwsV4HttpSigner.create();
        List<HttpRequest> requests = new ArrayList<>(ids.size());
        for (String id : ids) {
            URI uri = URI.create(callbackUrl + "/@connections/" + SdkHttpUtils.urlEncode(id));
            SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                    .putHeader("Content-Type", "application/json").build();
            SignedRequest signed = signer.sign(r -> r.identity(identity).request(request)
                    .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
            HttpRequest.Builder out = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            signed.request().forEachHeader((name, values) -> {
                if (!name.equalsIgnoreCase("Host")) {
                    out.header(name, values.getFirst());
                }
            });
            requests.add(out.build());
        }
        return requests;
    }

    private static String cpuRows(List<Result> results) {
        StringBuilder rows = new StringBuilder();
        for (Result r : results) {
            rows.append("| %,d | %.0f µs | %.0f µs | %.0f µs | %.0f µs |\n".formatted(r.connections(), r.engineCpu().median(),
                    r.loopCpu().median(), r.signedLoopCpu().median(), 1e6 / r.loop().median()));
        }
        return rows.toString().strip();
    }

    static void report(Report report, List<Result> results, Delayed delayed, int reps) throws Exception {
        StringBuilder md = new StringBuilder("""
                ## 1. Broadcast to 1,000 and 10,000 WebSocket connections

                One message to every open connection of local mode (child JVM, the connections held by this JVM's
                `java.net.http` clients), timed from the first post to the last answer (each answer comes when the
                frame is written), in posts per second. Each repetition runs the four paths in turn over the same
                connections. Before the first measured round every path makes %,d posts that are not counted
                (the JIT compiles each path's hot code, as in a warm Lambda); every pass must reach every client or the run
                fails.

                - **engine**: `Broadcaster.toAll` as the handlers call it: Scan of the connection table, posts on
                  virtual threads, %d in flight, each one SigV4-signed request on the SDK's HTTP client
                  (`SignedConnectionPoster`: the SDK's signer and standard retry strategy, not the generated client's
                  request pipeline).
                - **loop (SDK client)**: what the engine replaces, as a handler without it is written: the same Scan,
                  then `ApiGatewayManagementApiClient.postToConnection` for one connection after another.
                - **loop (signed posts)**: the same loop through the engine's poster, so the two loops apart show what
                  the cheaper post brings and what running posts at once brings.
                - **raw endpoint**: a load generator (`java.net.http`, HTTP/1.1 keep-alive, %d requests in flight)
                  posting to `@connections/{id}` once per connection, each request SigV4-signed before the pass (local
                  mode checks every signature): no signing or SDK cost while timed, so it shows what the endpoint
                  itself takes. A Java generator rather than
                  `h2load`/`wrk`: none is installed by default, and one request per connection id needs a per-request
                  path, which this does without a script.

                | connections | repetitions | engine posts/s | loop (SDK client) posts/s | loop (signed posts) posts/s | raw endpoint posts/s | engine / loop (SDK client) | engine / raw |
                |---|---|---|---|---|---|---|---|
                """.formatted(results.isEmpty() ? 0 : results.getFirst().warmUpPosts(), ENGINE_CONCURRENCY, RAW_IN_FLIGHT));
        Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
        for (Result r : results) {
            double vsLoop = r.engine().median() / r.loop().median();
            double vsRaw = r.engine().median() / r.raw().median();
            md.append("| %,d | %d | %s | %s | %s | %s | %.2fx | %.2fx |\n".formatted(r.connections(), r.engine().n(),
                    r.engine().format(0), r.loop().format(0), r.signedLoop().format(0), r.raw().format(0), vsLoop, vsRaw));
            String label = "%,d connections".formatted(r.connections());
            chart.computeIfAbsent("engine", k -> new LinkedHashMap<>()).put(label, r.engine().median());
            chart.computeIfAbsent("loop, SDK client", k -> new LinkedHashMap<>()).put(label, r.loop().median());
            chart.computeIfAbsent("loop, signed posts", k -> new LinkedHashMap<>()).put(label, r.signedLoop().median());
            chart.computeIfAbsent("raw endpoint (load tool)", k -> new LinkedHashMap<>()).put(label, r.raw().median());
            report.headline(new Report.Headline("Broadcast %,d: engine vs loop".formatted(r.connections()),
                    Spread.num(r.engine().median(), 0) + " posts/s", Spread.num(r.loop().median(), 0) + " posts/s",
                    "%.2fx".formatted(vsLoop), ">= 10x", vsLoop >= 10));
            report.headline(new Report.Headline("Broadcast %,d: engine vs raw endpoint".formatted(r.connections()),
                    Spread.num(r.engine().median(), 0) + " posts/s", Spread.num(r.raw().median(), 0) + " posts/s",
                    "%.2fx".formatted(vsRaw), ">= 0.5x", vsRaw >= 0.5));
        }
        Charts.bars(report.imageDir().resolve("broadcast-rates.png"), "Broadcast: posts per second (medians)",
                "posts/s", chart, false);
        md.append("\nMedians, (min–max) in brackets.\n\n![broadcast rates](img/broadcast-rates.png)\n");
        double delayedRatio = delayed.engine().median() / delayed.loop().median();
        md.append("""

                **What engine / loop depends on.** On loopback a post costs CPU rather than waiting: SigV4 signing,
                the HTTP client, Jetty, the WebSocket write, and the client reading the frame. This machine has %d cores
                shared by the load generator, the clients and local mode, so running posts at once wins what the loop
                leaves idle (thread hand-offs between the processes) and no more; the raw endpoint rate above is the
                ceiling. CPU per post, this JVM and local mode together (dynalite's Scan not counted), medians:

                | connections | engine: CPU per post | loop (SDK client): CPU per post | loop (signed posts): CPU per post | loop (SDK client): time per post |
                |---|---|---|---|---|
                %s

                Against API Gateway each post is a network round trip, and the loop waits through every one of them
                while the engine overlaps %d. Same engine and loop, %,d connections stored in dynalite, posting to the
                functions' `@connections` stand-in (`CloudStandIn`) that holds every request %d ms before answering
                (medians of %d):

                | path | posts/s |
                |---|---|
                | engine | %s |
                | loop (SDK client) | %s |
                | **engine / loop** | **%.1fx** |
                """.formatted(Runtime.getRuntime().availableProcessors(), cpuRows(results), ENGINE_CONCURRENCY, delayed.connections(),
                delayed.delay().toMillis(), delayed.engine().n(), delayed.engine().format(0), delayed.loop().format(0), delayedRatio));
        report.headline(new Report.Headline("Broadcast %,d, endpoint answering after %d ms: engine vs loop".formatted(
                delayed.connections(), delayed.delay().toMillis()), Spread.num(delayed.engine().median(), 0) + " posts/s",
                Spread.num(delayed.loop().median(), 0) + " posts/s", "%.1fx".formatted(delayedRatio), "— (context for the 10x goal)", null));
        report.section(md.toString());
    }
}
