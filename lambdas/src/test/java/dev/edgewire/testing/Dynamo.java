package dev.edgewire.testing;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.edgewire.contract.Topology.ConnectionTable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/** A mocked DynamoDB client whose Scan returns the given connection ids, for unit tests of handler logic. */
public final class Dynamo {

    private Dynamo() {
    }

    public static DynamoDbClient withConnections(String... ids) {
        DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
        when(dynamoDb.scanPaginator(any(ScanRequest.class))).thenCallRealMethod();
        when(dynamoDb.scan(any(ScanRequest.class))).thenReturn(page(List.of(ids), null));
        return dynamoDb;
    }

    public static ScanResponse page(List<String> ids, String lastEvaluatedId) {
        ScanResponse.Builder page = ScanResponse.builder()
                .items(ids.stream().map(Dynamo::key).toList())
                .count(ids.size());
        if (lastEvaluatedId != null) {
            page.lastEvaluatedKey(key(lastEvaluatedId));
        }
        return page.build();
    }

    public static Map<String, AttributeValue> key(String id) {
        return Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(id));
    }

    public static List<String> ids(String... ids) {
        return Arrays.asList(ids);
    }
}
