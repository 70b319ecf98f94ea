package dev.edgewire.local.store;

import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.standins.dynamodb.ConnectionTables;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The connection table in the local store: created as infra creates it (partition key only,
 * on-demand), and kept clean of expired rows, since dynalite has no TTL: rows whose
 * {@code expiresAt} has passed are deleted as DynamoDB's TTL would delete them.
 */
public final class ConnectionTableStore {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionTableStore.class);

    private final DynamoDbClient dynamo;
    private final String tableName;
    private final Clock clock;

    public ConnectionTableStore(DynamoDbClient dynamo, String tableName, Clock clock) {
        this.dynamo = dynamo;
        this.tableName = tableName;
        this.clock = clock;
    }

    /** Creates the table unless it exists; true if it was created. */
    public boolean createIfMissing() {
        return ConnectionTables.createIfMissing(dynamo, tableName);
    }

    /** Deletes every row whose {@code expiresAt} (epoch seconds) is in the past; returns how many. */
    public int expire() {
        long now = clock.instant().getEpochSecond();
        int deleted = 0;
        var pages = dynamo.scanPaginator(ScanRequest.builder()
                .tableName(tableName)
                .filterExpression("#e < :now")
                .projectionExpression("#k")
                .expressionAttributeNames(Map.of("#e", ConnectionTable.EXPIRES_AT, "#k", ConnectionTable.PARTITION_KEY))
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now))))
                .build());
        for (var page : pages) {
            for (var item : page.items()) {
                AttributeValue key = item.get(ConnectionTable.PARTITION_KEY);
                dynamo.deleteItem(b -> b.tableName(tableName).key(Map.of(ConnectionTable.PARTITION_KEY, key)));
                deleted++;
            }
        }
        if (deleted > 0) {
            LOG.info("expired {} connection rows past their {}", deleted, ConnectionTable.EXPIRES_AT);
        }
        return deleted;
    }
}
