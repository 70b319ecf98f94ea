package dev.edgewire.connection;

import dev.edgewire.contract.Topology.ConnectionTable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The WebSocket connections that are open, as rows of the connection table
 * ({@link ConnectionTable}). Thread-safe.
 */
public final class ConnectionRepository {

    private static final String KEY_NAME = "#id";

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;
    private final int scanSegments;

    /**
     * @param scanSegments how many parallel Scan segments read the ids; 1 reads them in one sequence
     */
    public ConnectionRepository(DynamoDbClient dynamoDb, String tableName, Clock clock, int scanSegments) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.tableName = requireText(tableName, "tableName");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (scanSegments < 1) {
            throw new IllegalArgumentException("scanSegments must be at least 1, was " + scanSegments);
        }
        this.scanSegments = scanSegments;
    }

    /**
     * Stores a connection. Storing the same id again overwrites the row, so a retried
     * {@code $connect} leaves one row.
     *
     * @param sourceIp may be null when the event carries none
     */
    public void save(String connectionId, String sourceIp) {
        requireText(connectionId, "connectionId");
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(connectionId));
        item.put(ConnectionTable.CONNECTED_AT, AttributeValue.fromN(Long.toString(now.toEpochMilli())));
        item.put(ConnectionTable.EXPIRES_AT, AttributeValue.fromN(Long.toString(expiresAt(now).getEpochSecond())));
        if (sourceIp != null && !sourceIp.isBlank()) {
            item.put(ConnectionTable.SOURCE_IP, AttributeValue.fromS(sourceIp));
        }
        dynamoDb.putItem(PutItemRequest.builder().tableName(tableName).item(item).build());
    }

    /** When a row stored at {@code connectedAt} expires: after API Gateway has surely closed the connection. */
    public static Instant expiresAt(Instant connectedAt) {
        return connectedAt.plus(ConnectionTable.MAX_CONNECTION_AGE).plus(ConnectionTable.EXPIRY_MARGIN);
    }

    /** Deletes a connection; deleting one that is not there is not an error. */
    public void delete(String connectionId) {
        requireText(connectionId, "connectionId");
        dynamoDb.deleteItem(DeleteItemRequest.builder()
                .tableName(tableName)
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(connectionId)))
                .build());
    }

    /**
     * Hands every stored connection id to {@code action} as the Scan pages arrive, reading only the
     * key attribute. With several segments, {@code action} is called from several threads at once.
     * The scan is strongly consistent, so a row whose put has completed is always seen.
     */
    public void forEachConnectionId(Consumer<String> action) {
        Objects.requireNonNull(action, "action");
        if (scanSegments == 1) {
            scanSegment(null, action);
            return;
        }
        try (ExecutorService segments = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>(scanSegments);
            for (int segment = 0; segment < scanSegments; segment++) {
                int s = segment;
                running.add(segments.submit(() -> scanSegment(s, action)));
            }
            for (Future<?> f : running) {
                awaitSegment(f);
            }
        }
    }

    /** Every stored connection id. */
    public List<String> connectionIds() {
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        forEachConnectionId(ids::add);
        return List.copyOf(ids);
    }

    private void scanSegment(Integer segment, Consumer<String> action) {
        ScanRequest.Builder request = ScanRequest.builder()
                .tableName(tableName)
                .projectionExpression(KEY_NAME)
                .expressionAttributeNames(Map.of(KEY_NAME, ConnectionTable.PARTITION_KEY))
                .consistentRead(true);
        if (segment != null) {
            request.segment(segment).totalSegments(scanSegments);
        }
        dynamoDb.scanPaginator(request.build()).items().forEach(item -> {
            AttributeValue id = item.get(ConnectionTable.PARTITION_KEY);
            if (id != null && id.s() != null) {
                action.accept(id.s());
            }
        });
    }

    private static void awaitSegment(Future<?> segment) {
        try {
            segment.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scanning connections", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("scan segment failed", e.getCause());
        }
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
