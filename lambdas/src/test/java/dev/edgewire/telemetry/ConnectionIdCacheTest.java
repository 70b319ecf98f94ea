package dev.edgewire.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.connection.Watcher;
import dev.edgewire.testing.Dynamo;
import dev.edgewire.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

class ConnectionIdCacheTest {

    private static final Duration TTL = Duration.ofSeconds(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T21:00:00Z"));
    private final DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
    private final ConnectionIdCache cache = new ConnectionIdCache(
            new ConnectionRepository(dynamoDb, "connections", clock, 1), TTL, clock);

    private List<String> ids() {
        return cache.watchers().stream().map(Watcher::connectionId).toList();
    }

    @Test
    void manyReadingsWithinTheTtl_costOneScan() {
        when(dynamoDb.scanPaginator(any(ScanRequest.class))).thenCallRealMethod();
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(Dynamo.page(List.of("a", "b"), null));

        for (int i = 0; i < 500; i++) {
            assertThat(ids()).containsExactlyInAnyOrder("a", "b");
            clock.advance(Duration.ofMillis(1));
        }

        verify(dynamoDb, times(1)).scan(any(ScanRequest.class));
    }

    @Test
    void newConnection_getsReadings_noLaterThanTheTtlAfterItWasStored() {
        when(dynamoDb.scanPaginator(any(ScanRequest.class))).thenCallRealMethod();
        when(dynamoDb.scan(any(ScanRequest.class)))
                .thenReturn(Dynamo.page(List.of("a"), null))
                .thenReturn(Dynamo.page(List.of("a", "new"), null));
        assertThat(ids()).containsExactly("a");

        // "new" is stored right after the read; until the read is TTL old, readings miss it...
        clock.advance(TTL.minusMillis(1));
        assertThat(ids()).containsExactly("a");
        // ...and from then on they reach it.
        clock.advance(Duration.ofMillis(1));
        assertThat(ids()).containsExactlyInAnyOrder("a", "new");
        verify(dynamoDb, times(2)).scan(any(ScanRequest.class));
    }

    @Test
    void goneConnections_areDroppedAtOnce_withoutWaitingForTheNextRead() {
        when(dynamoDb.scanPaginator(any(ScanRequest.class))).thenCallRealMethod();
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(Dynamo.page(List.of("a", "gone", "b"), null));
        ids();

        cache.forget(Set.of("gone"));

        assertThat(ids()).containsExactly("a", "b");
        verify(dynamoDb, times(1)).scan(any(ScanRequest.class));
    }
}
