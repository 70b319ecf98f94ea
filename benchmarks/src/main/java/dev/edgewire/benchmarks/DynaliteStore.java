package dev.edgewire.benchmarks;

import dev.edgewire.standins.dynamodb.ConnectionTables;
import dev.edgewire.standins.dynamodb.Dynalite;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * dynalite in memory with one empty connection table, for the benchmarks that run the functions' code
 * against a store of their own rather than local mode's.
 */
final class DynaliteStore implements AutoCloseable {

    static final String TABLE = "edgewire-bench-connections";

    private final Dynalite dynalite;
    private final DynamoDbClient client;

    private DynaliteStore(Dynalite dynalite, DynamoDbClient client) {
        this.dynalite = dynalite;
        this.client = client;
    }

    /** Starts dynalite from the checkout's {@code node_modules}, logging to {@code benchmarks/target/}. */
    static DynaliteStore start(Path root) throws IOException, InterruptedException {
        Dynalite dynalite = Dynalite.start(root.resolve("node_modules/dynalite/cli.js"), null, 0,
                root.resolve("benchmarks/target/dynalite.log"));
        DynamoDbClient client = DynamoDbClient.builder().endpointOverride(dynalite.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        try {
            ConnectionTables.create(client, TABLE);
        } catch (RuntimeException e) {
            client.close();
            dynalite.close();
            throw e;
        }
        return new DynaliteStore(dynalite, client);
    }

    URI endpoint() {
        return dynalite.endpoint();
    }

    DynamoDbClient client() {
        return client;
    }

    String table() {
        return TABLE;
    }

    @Override
    public void close() {
        client.close();
        dynalite.close();
    }
}
