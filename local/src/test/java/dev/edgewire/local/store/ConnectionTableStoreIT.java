package dev.edgewire.local.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.standins.dynamodb.Dynalite;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The connection table in a real dynalite: created once, and expired rows removed as TTL would. */
class ConnectionTableStoreIT {

    private static final Instant NOW = Instant.parse("2026-11-29T21:00:00Z");

    @TempDir
    static Path dir;
    static Dynalite dynalite;
    static DynamoDbClient dynamo;

    @BeforeAll
    static void start() throws Exception {
        Path cli = Dynalite.findCli(Path.of(System.getProperty("edgewire.root", "."))).orElseThrow();
        dynalite = Dynalite.start(cli, null, 0, dir.resolve("dynalite.log"));
        dynamo = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(dynalite.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        dynalite.close();
    }

    @Test
    void createIfMissing_createsTheTableOnce() {
        var store = new ConnectionTableStore(dynamo, "once", Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(store.createIfMissing()).isTrue();
        assertThat(store.createIfMissing()).isFalse();
        assertThat(dynamo.describeTable(b -> b.tableName("once")).table().keySchema())
                .singleElement().satisfies(k -> assertThat(k.attributeName()).isEqualTo(ConnectionTable.PARTITION_KEY));
    }

    @Test
    void expire_deletesOnlyRowsWhoseExpiresAtHasPassed() {
        var store = new ConnectionTableStore(dynamo, "expiry", Clock.fixed(NOW, ZoneOffset.UTC));
        store.createIfMissing();
        put("expiry", "expired", NOW.minusSeconds(1));
        put("expiry", "live", NOW.plusSeconds(3600));

        assertThat(store.expire()).isEqualTo(1);

        assertThat(exists("expiry", "expired")).isFalse();
        assertThat(exists("expiry", "live")).isTrue();
    }

    private static void put(String table, String id, Instant expiresAt) {
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                ConnectionTable.PARTITION_KEY, AttributeValue.fromS(id),
                ConnectionTable.EXPIRES_AT, AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond())))));
    }

    private static boolean exists(String table, String id) {
        return dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(id)))).hasItem();
    }
}
