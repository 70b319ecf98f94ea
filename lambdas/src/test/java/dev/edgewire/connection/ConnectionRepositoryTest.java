package dev.edgewire.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.edgewire.testing.Dynamo;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

class ConnectionRepositoryTest {

    private final DynamoDbClient dynamoDb = mock(DynamoDbClient.class);

    @Test
    void connectionIds_scanOnlyTheKey_consistently_andFollowEveryPage() {
        when(dynamoDb.scanPaginator(any(ScanRequest.class))).thenCallRealMethod();
        when(dynamoDb.scan(any(ScanRequest.class)))
                .thenReturn(Dynamo.page(List.of("a", "b"), "b"))
                .thenReturn(Dynamo.page(List.of("c"), null));
        var repository = new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 1);

        assertThat(repository.connectionIds()).containsExactlyInAnyOrder("a", "b", "c");

        ArgumentCaptor<ScanRequest> scans = ArgumentCaptor.forClass(ScanRequest.class);
        verify(dynamoDb, atLeastOnce()).scan(scans.capture());
        assertThat(scans.getAllValues()).hasSize(2).allSatisfy(scan -> {
            assertThat(scan.tableName()).isEqualTo("connections");
            assertThat(scan.projectionExpression()).isEqualTo("#id");
            assertThat(scan.expressionAttributeNames()).isEqualTo(Map.of("#id", "connectionId"));
            assertThat(scan.consistentRead()).isTrue();
            assertThat(scan.totalSegments()).isNull();
        });
        assertThat(scans.getAllValues().get(0).exclusiveStartKey()).isEmpty();
        assertThat(scans.getAllValues().get(1).exclusiveStartKey()).isEqualTo(Dynamo.key("b"));
    }

    @Test
    void connectionIds_readEverySegmentOnce_whenScanningInParallel() {
        when(dynamoDb.scanPaginator(any(ScanRequest.class))).thenCallRealMethod();
        when(dynamoDb.scan(any(ScanRequest.class))).thenAnswer(call -> {
            ScanRequest scan = call.getArgument(0);
            return Dynamo.page(List.of("id-of-segment-" + scan.segment()), null);
        });
        var repository = new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 4);

        assertThat(repository.connectionIds()).containsExactlyInAnyOrder(
                "id-of-segment-0", "id-of-segment-1", "id-of-segment-2", "id-of-segment-3");

        ArgumentCaptor<ScanRequest> scans = ArgumentCaptor.forClass(ScanRequest.class);
        verify(dynamoDb, atLeastOnce()).scan(scans.capture());
        assertThat(scans.getAllValues()).extracting(ScanRequest::segment).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(scans.getAllValues()).extracting(ScanRequest::totalSegments).containsOnly(4);
    }

    @Test
    void connectionIds_fail_whenASegmentFails() {
        when(dynamoDb.scanPaginator(any(ScanRequest.class))).thenCallRealMethod();
        when(dynamoDb.scan(any(ScanRequest.class))).thenAnswer(call -> {
            ScanRequest scan = call.getArgument(0);
            if (scan.segment() == 1) {
                throw new IllegalStateException("segment 1 failed");
            }
            return ScanResponse.builder().items(List.of()).build();
        });
        var repository = new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 2);

        assertThatThrownBy(repository::connectionIds).hasMessageContaining("segment 1 failed");
    }

    @Test
    void constructor_refusesFewerThanOneSegment() {
        assertThatThrownBy(() -> new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
