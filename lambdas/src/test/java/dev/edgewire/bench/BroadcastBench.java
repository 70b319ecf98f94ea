package dev.edgewire.bench;

import dev.edgewire.broadcast.BroadcastResult;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.runtime.CloudServices;
import dev.edgewire.testing.ConnectionsApiServer;
import dev.edgewire.testing.DynamoDbExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One message to N connections stored in dynalite, posted to a local {@code @connections}
 * endpoint: the {@link dev.edgewire.broadcast.Broadcaster} against a one-by-one loop over the same
 * Scan, in the same run, alternating, with and without a simulated per-request latency.
 *
 * <p>Arguments: connections (default 1000), runs (default 5), concurrency (default the topology default).
 */
public final class BroadcastBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (DynamoDbExtension.Server dynamo = DynamoDbExtension.startStandalone();
             ConnectionsApiServer api = new ConnectionsApiServer();
             DynamoDbClient setup = dynamo.endpoint().newClient()) {
            String table = dynamo.endpoint().createConnectionTable(setup);
            CloudServices.Builder builder = CloudServices.builder()
                    .dynamoDbEndpoint(dynamo.endpoint().uri())
                    .callbackUrl(api.callbackUrl())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .connectionsTable(table);
            if (args.length > 2) {
                builder.broadcastConcurrency(Integer.parseInt(args[2]));
            }
            CloudServices services = builder.build();
            ConnectionRepository connections = services.connections();
            store(connections, n);
            String payload = "{\"type\":\"message\",\"from\":\"bench\",\"message\":\"hello\",\"sentAt\":0}";

            System.out.printf("%d connections, %d runs, engine concurrency %d, medians in ms%n", n, runs, services.broadcastConcurrency());
            for (Duration delay : List.of(Duration.ZERO, Duration.ofMillis(10))) {
                api.delayEachRequest(delay);
                List<Double> engine = new ArrayList<>();
                List<Double> loop = new ArrayList<>();
                for (int run = 0; run < runs + 1; run++) {
                    api.reset();
                    long t0 = System.nanoTime();
                    BroadcastResult result = services.broadcaster().toAll(payload);
                    double engineMs = (System.nanoTime() - t0) / 1e6;
                    check(result.delivered(), n, api);
                    api.reset();
                    long t1 = System.nanoTime();
                    int delivered = oneByOne(services.managementApi(), connections, payload);
                    double loopMs = (System.nanoTime() - t1) / 1e6;
                    check(delivered, n, api);
                    if (run > 0) { // the first round warms both paths up
                        engine.add(engineMs);
                        loop.add(loopMs);
                    }
                }
                System.out.printf("server delay %3d ms: engine %8.1f ms (%6.0f posts/s)   one-by-one %8.1f ms (%6.0f posts/s)%n",
                        delay.toMillis(), ColdStartBench.median(engine), n / ColdStartBench.median(engine) * 1000,
                        ColdStartBench.median(loop), n / ColdStartBench.median(loop) * 1000);
            }
        }
    }

    /** What the engine replaces: post to each id in turn. */
    private static int oneByOne(ApiGatewayManagementApiClient api, ConnectionRepository connections, String payload) {
        int delivered = 0;
        SdkBytes data = SdkBytes.fromUtf8String(payload);
        for (String id : connections.connectionIds()) {
            try {
                api.postToConnection(b -> b.connectionId(id).data(data));
                delivered++;
            } catch (GoneException e) {
                connections.delete(id);
            }
        }
        return delivered;
    }

    private static void store(ConnectionRepository connections, int n) throws InterruptedException {
        Semaphore permits = new Semaphore(16);
        try (ExecutorService puts = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                String id = "bench-" + i + "=";
                permits.acquire();
                puts.execute(() -> {
                    try {
                        connections.save(id, null);
                    } finally {
                        permits.release();
                    }
                });
            }
        }
    }

    private static void check(int delivered, int n, ConnectionsApiServer api) {
        if (delivered != n || api.posts().size() != n) {
            throw new IllegalStateException("delivered " + delivered + " of " + n + ", server saw " + api.posts().size());
        }
    }
}
