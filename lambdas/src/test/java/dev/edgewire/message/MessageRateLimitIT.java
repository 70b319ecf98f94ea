package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.contract.Topology;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import dev.edgewire.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The message rate against a DynamoDB-compatible store: the clock on the row, shared by function instances. */
@ExtendWith(DynamoDbExtension.class)
class MessageRateLimitIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    private DynamoDbClient dynamoDb;
    private String table;
    private ConnectionRepository connections;

    @BeforeEach
    void createTable(Endpoint endpoint, DynamoDbClient dynamoDb) {
        this.dynamoDb = dynamoDb;
        table = endpoint.createConnectionTable(dynamoDb);
        connections = new ConnectionRepository(dynamoDb, table, clock, 1);
        connections.save("flooder", null);
        connections.save("quiet", null);
    }

    @AfterEach
    void dropTable() {
        dynamoDb.deleteTable(b -> b.tableName(table));
    }

    @Test
    void aBurstIsAllowed_theNextIsRefusedWithWhenToRetry_andTheRateComesBackWithTime() {
        MessageRateLimit limit = new MessageRateLimit(connections, clock);

        for (int i = 0; i < Topology.MessageRate.BURST; i++) {
            assertThat(limit.admit("flooder")).as("message %d of the burst", i + 1).isInstanceOf(MessageRateLimit.Decision.Allowed.class);
        }
        MessageRateLimit.Decision over = limit.admit("flooder");
        assertThat(over).isEqualTo(new MessageRateLimit.Decision.Refused(100));
        assertThat(limit.admit("quiet")).as("another connection has its own rate").isInstanceOf(MessageRateLimit.Decision.Allowed.class);

        clock.advance(Duration.ofMillis(100));
        assertThat(limit.admit("flooder")).isInstanceOf(MessageRateLimit.Decision.Allowed.class);
        assertThat(limit.admit("flooder")).isInstanceOf(MessageRateLimit.Decision.Refused.class);

        clock.advance(Duration.ofSeconds(10));
        for (int i = 0; i < Topology.MessageRate.BURST; i++) {
            assertThat(limit.admit("flooder")).as("after a quiet spell, message %d", i + 1).isInstanceOf(MessageRateLimit.Decision.Allowed.class);
        }
    }

    @Test
    void twoFunctionInstances_shareOneRate_throughTheRow() throws Exception {
        MessageRateLimit first = new MessageRateLimit(connections, clock);
        MessageRateLimit second = new MessageRateLimit(connections, clock);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<MessageRateLimit.Decision>> decisions = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                MessageRateLimit instance = i % 2 == 0 ? first : second;
                decisions.add(pool.submit(() -> instance.admit("flooder")));
            }
            long allowed = 0;
            for (Future<MessageRateLimit.Decision> decision : decisions) {
                if (decision.get() instanceof MessageRateLimit.Decision.Allowed) {
                    allowed++;
                }
            }
            // The clock stands still: exactly one burst goes, whichever instance and thread asked.
            assertThat(allowed).isEqualTo(Topology.MessageRate.BURST);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConnectionWithoutARow_isRefused_andNoRowIsMade() {
        MessageRateLimit limit = new MessageRateLimit(connections, clock);

        assertThat(limit.admit("gone")).isInstanceOf(MessageRateLimit.Decision.Refused.class);
        assertThat(connections.connectionIds()).containsExactlyInAnyOrder("flooder", "quiet");
    }
}
