package dev.edgewire.connection;

import dev.edgewire.contract.Topology.ConnectionTable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The WebSocket connections that are open, as rows of the connection table
 * ({@link ConnectionTable}). Thread-safe.
 */
public final class ConnectionRepository {

    private static final String KEY_NAME = "#id";
    private static final String DEVICES_NAME = "#devices";
    private static final String CLOCK_NAME = "#clock";
    private static final String PLACES_NAME = "#places";
    private static final String EXPIRES_NAME = "#expires";
    /** How often a {@code $connect} that finds its subject full takes back expired places and tries again. */
    private static final int PLACE_ATTEMPTS = 3;

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
        save(connectionId, sourceIp, null, null);
    }

    /**
     * Stores a connection opened by {@code subject}'s token, which holds {@code place} among the
     * subject's places ({@link #holdPlace}); both may be null for a connection not counted.
     */
    public void save(String connectionId, String sourceIp, String subject, String place) {
        requireText(connectionId, "connectionId");
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(connectionId));
        item.put(ConnectionTable.CONNECTED_AT, AttributeValue.fromN(Long.toString(now.toEpochMilli())));
        item.put(ConnectionTable.EXPIRES_AT, AttributeValue.fromN(Long.toString(expiresAt(now).getEpochSecond())));
        if (sourceIp != null && !sourceIp.isBlank()) {
            item.put(ConnectionTable.SOURCE_IP, AttributeValue.fromS(sourceIp));
        }
        if (subject != null && place != null) {
            item.put(ConnectionTable.SUBJECT, AttributeValue.fromS(subject));
            item.put(ConnectionTable.PLACE, AttributeValue.fromS(place));
        }
        dynamoDb.putItem(PutItemRequest.builder().tableName(tableName).item(item).build());
    }

    /** When a row stored at {@code connectedAt} expires: after API Gateway has surely closed the connection. */
    public static Instant expiresAt(Instant connectedAt) {
        return connectedAt.plus(ConnectionTable.MAX_CONNECTION_AGE).plus(ConnectionTable.EXPIRY_MARGIN);
    }

    /**
     * Takes one of {@code subject}'s places for {@code connectionId} if the subject holds fewer than
     * {@code max}: one conditional UpdateItem that adds the connection's entry
     * ({@code <connectionId>#<expiresAt>}) to the subject's places row, so concurrent connects, from any
     * function instance, cannot take more than {@code max} between them. When the subject is full, the
     * row is read, the entries whose time has passed (connections that vanished without
     * {@code $disconnect}) are removed, and the place is asked for again.
     *
     * @return the entry to store on the connection's row and give back on {@code $disconnect}; empty
     *         when the subject already holds {@code max} places
     */
    public Optional<String> holdPlace(String subject, String connectionId, int max) {
        requireText(subject, "subject");
        requireText(connectionId, "connectionId");
        Instant now = clock.instant();
        String entry = connectionId + "#" + expiresAt(now).getEpochSecond();
        Map<String, AttributeValue> key = placesKey(subject);
        for (int attempt = 0; attempt < PLACE_ATTEMPTS; attempt++) {
            try {
                dynamoDb.updateItem(UpdateItemRequest.builder()
                        .tableName(tableName)
                        .key(key)
                        .updateExpression("ADD " + PLACES_NAME + " :entry SET " + EXPIRES_NAME + " = :expires")
                        // A retried $connect of the same connection keeps the place it took.
                        .conditionExpression("attribute_not_exists(" + PLACES_NAME + ") OR size(" + PLACES_NAME
                                + ") < :max OR contains(" + PLACES_NAME + ", :entryText)")
                        .expressionAttributeNames(Map.of(PLACES_NAME, ConnectionTable.PLACES,
                                EXPIRES_NAME, ConnectionTable.EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":entry", AttributeValue.fromSs(List.of(entry)),
                                ":entryText", AttributeValue.fromS(entry),
                                ":expires", number(expiresAt(now).getEpochSecond()), ":max", number(max)))
                        .build());
                return Optional.of(entry);
            } catch (ConditionalCheckFailedException e) {
                List<String> expired = expiredPlaces(key, now);
                if (expired.isEmpty()) {
                    return Optional.empty();
                }
                // Removing exactly these entries is safe whoever else is connecting or disconnecting.
                removePlaces(key, expired);
            }
        }
        return Optional.empty();
    }

    /** Gives {@code place} back to {@code subject}, and deletes the subject's places row once it holds none. */
    public void freePlace(String subject, String place) {
        requireText(subject, "subject");
        requireText(place, "place");
        freePlaces(placesKey(subject), List.of(place));
    }

    private void freePlaces(Map<String, AttributeValue> key, List<String> entries) {
        if (removePlaces(key, entries)) {
            return;
        }
        try {
            dynamoDb.deleteItem(DeleteItemRequest.builder()
                    .tableName(tableName)
                    .key(key)
                    .conditionExpression("attribute_not_exists(" + PLACES_NAME + ")")
                    .expressionAttributeNames(Map.of(PLACES_NAME, ConnectionTable.PLACES))
                    .build());
        } catch (ConditionalCheckFailedException e) {
            // Another connection took a place meanwhile: the row stays.
        }
    }

    /**
     * Deletes a connection and gives its place back to its subject; deleting one that is not there is
     * not an error. The place is the one on the row; when the row is already gone (a broadcast found
     * the connection gone and deleted it first), {@code subject} (the authorizer's, may be null) leads
     * to the subject's places row, whose entries for this connection are removed.
     */
    public void forget(String connectionId, String subject) {
        requireText(connectionId, "connectionId");
        Map<String, AttributeValue> old = dynamoDb.deleteItem(DeleteItemRequest.builder()
                .tableName(tableName)
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(connectionId)))
                .returnValues(ReturnValue.ALL_OLD)
                .build()).attributes();
        AttributeValue storedSubject = old == null ? null : old.get(ConnectionTable.SUBJECT);
        AttributeValue place = old == null ? null : old.get(ConnectionTable.PLACE);
        if (storedSubject != null && storedSubject.s() != null && place != null && place.s() != null) {
            freePlace(storedSubject.s(), place.s());
        } else if (subject != null && !subject.isBlank()) {
            Map<String, AttributeValue> key = placesKey(subject);
            List<String> held = places(key).stream().filter(e -> e.startsWith(connectionId + "#")).toList();
            if (!held.isEmpty()) {
                freePlaces(key, held);
            }
        }
    }

    /** Whether a row key is a subject's places row rather than a connection. */
    public static boolean isPlacesKey(String key) {
        return key.startsWith(ConnectionTable.PLACES_KEY_PREFIX);
    }

    private static Map<String, AttributeValue> placesKey(String subject) {
        return Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(ConnectionTable.PLACES_KEY_PREFIX + subject));
    }

    /** The subject's entries whose connections would have expired by {@code now}. */
    private List<String> expiredPlaces(Map<String, AttributeValue> key, Instant now) {
        List<String> expired = new ArrayList<>();
        for (String entry : places(key)) {
            int hash = entry.lastIndexOf('#');
            try {
                if (hash < 0 || Long.parseLong(entry.substring(hash + 1)) <= now.getEpochSecond()) {
                    expired.add(entry);
                }
            } catch (NumberFormatException e) {
                expired.add(entry);
            }
        }
        return expired;
    }

    /** The entries of a places row, read strongly consistent; none when there is no row. */
    private List<String> places(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> row = dynamoDb.getItem(GetItemRequest.builder()
                .tableName(tableName)
                .key(key)
                .consistentRead(true)
                .build()).item();
        AttributeValue places = row == null ? null : row.get(ConnectionTable.PLACES);
        return places == null || !places.hasSs() ? List.of() : places.ss();
    }

    /**
     * Removes {@code entries} from a places row (idempotent).
     *
     * @return whether the row still holds places afterwards
     */
    private boolean removePlaces(Map<String, AttributeValue> key, List<String> entries) {
        Map<String, AttributeValue> after = dynamoDb.updateItem(UpdateItemRequest.builder()
                .tableName(tableName)
                .key(key)
                .updateExpression("DELETE " + PLACES_NAME + " :entries")
                .expressionAttributeNames(Map.of(PLACES_NAME, ConnectionTable.PLACES))
                .expressionAttributeValues(Map.of(":entries", AttributeValue.fromSs(entries)))
                .returnValues(ReturnValue.UPDATED_NEW)
                .build()).attributes();
        AttributeValue left = after == null ? null : after.get(ConnectionTable.PLACES);
        return left != null && left.hasSs() && !left.ss().isEmpty();
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
     * Stores the devices whose readings the connection wants ({@code null}: every device), on its
     * row only if the row exists, so a connection that has gone is not stored again.
     *
     * @return {@code false} when there is no row for the connection
     */
    public boolean subscribe(String connectionId, Set<String> devices) {
        requireText(connectionId, "connectionId");
        UpdateItemRequest.Builder update = UpdateItemRequest.builder()
                .tableName(tableName)
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(connectionId)))
                .conditionExpression("attribute_exists(" + KEY_NAME + ")");
        if (devices == null) {
            update.updateExpression("REMOVE " + DEVICES_NAME)
                    .expressionAttributeNames(Map.of(KEY_NAME, ConnectionTable.PARTITION_KEY,
                            DEVICES_NAME, ConnectionTable.DEVICES));
        } else {
            update.updateExpression("SET " + DEVICES_NAME + " = :devices")
                    .expressionAttributeNames(Map.of(KEY_NAME, ConnectionTable.PARTITION_KEY,
                            DEVICES_NAME, ConnectionTable.DEVICES))
                    .expressionAttributeValues(Map.of(":devices", AttributeValue.fromL(
                            new TreeSet<>(devices).stream().map(AttributeValue::fromS).toList())));
        }
        try {
            dynamoDb.updateItem(update.build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** What a change of a connection's message clock found. */
    public sealed interface ClockUpdate {
        /** The change was made: the clock now holds {@code clock}. */
        record Advanced(long clock) implements ClockUpdate {
        }

        /**
         * The clock was not as the change required, or there is no row: {@code current} is what the row
         * holds, {@code null} when the store did not say (or there is no row or no clock).
         */
        record Refused(Long current) implements ClockUpdate {
        }
    }

    /**
     * Starts the connection's {@value ConnectionTable#MESSAGE_CLOCK} afresh at {@code next} when it has
     * none or it is before {@code now} (the connection was quiet), on its row only if the row exists.
     */
    public ClockUpdate restartMessageClock(String connectionId, long now, long next) {
        return changeMessageClock(connectionId, "SET " + CLOCK_NAME + " = :next",
                "(attribute_not_exists(" + CLOCK_NAME + ") OR " + CLOCK_NAME + " < :now)",
                Map.of(":next", number(next), ":now", number(now)));
    }

    /**
     * Adds {@code interval} to the connection's {@value ConnectionTable#MESSAGE_CLOCK} when it lies
     * between {@code from} and {@code until}, on its row only if the row exists: one atomic UpdateItem,
     * so concurrent invocations for one connection each add their own.
     */
    public ClockUpdate addToMessageClock(String connectionId, long interval, long from, long until) {
        return changeMessageClock(connectionId, "SET " + CLOCK_NAME + " = " + CLOCK_NAME + " + :interval",
                CLOCK_NAME + " BETWEEN :from AND :until",
                Map.of(":interval", number(interval), ":from", number(from), ":until", number(until)));
    }

    /**
     * The connection's {@value ConnectionTable#MESSAGE_CLOCK}, or {@code null} when it has none or there is
     * no row: read through an UpdateItem that sets the clock to itself, so a function allowed UpdateItem on
     * the rows needs no GetItem. Only for stores that do not return the row when a condition fails.
     */
    public Long readMessageClock(String connectionId) {
        ClockUpdate update = changeMessageClock(connectionId, "SET " + CLOCK_NAME + " = " + CLOCK_NAME,
                "attribute_exists(" + CLOCK_NAME + ")", null);
        return update instanceof ClockUpdate.Advanced advanced ? advanced.clock() : null;
    }

    /**
     * One conditional UpdateItem; a failed condition returns what the row holds where the store says
     * (DynamoDB's {@code ReturnValuesOnConditionCheckFailure}), so no read is needed.
     */
    private ClockUpdate changeMessageClock(String connectionId, String update, String condition,
                                           Map<String, AttributeValue> values) {
        requireText(connectionId, "connectionId");
        try {
            UpdateItemRequest.Builder request = UpdateItemRequest.builder()
                    .tableName(tableName)
                    .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(connectionId)))
                    .updateExpression(update)
                    .conditionExpression("attribute_exists(" + KEY_NAME + ") AND " + condition)
                    .expressionAttributeNames(Map.of(KEY_NAME, ConnectionTable.PARTITION_KEY,
                            CLOCK_NAME, ConnectionTable.MESSAGE_CLOCK))
                    .returnValues(ReturnValue.UPDATED_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            if (values != null) {
                request.expressionAttributeValues(values);
            }
            Map<String, AttributeValue> after = dynamoDb.updateItem(request.build()).attributes();
            return new ClockUpdate.Advanced(Long.parseLong(after.get(ConnectionTable.MESSAGE_CLOCK).n()));
        } catch (ConditionalCheckFailedException e) {
            AttributeValue clock = e.hasItem() ? e.item().get(ConnectionTable.MESSAGE_CLOCK) : null;
            return new ClockUpdate.Refused(clock == null || clock.n() == null ? null : Long.valueOf(clock.n()));
        }
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /**
     * Every stored connection with its choice of devices, read as {@link #forEachConnectionId}
     * reads the ids (strongly consistent), with the {@value ConnectionTable#DEVICES} attribute too.
     */
    public List<Watcher> watchers() {
        ConcurrentLinkedQueue<Watcher> watchers = new ConcurrentLinkedQueue<>();
        forEachRow(true, item -> {
            AttributeValue id = item.get(ConnectionTable.PARTITION_KEY);
            if (id != null && id.s() != null && !isPlacesKey(id.s())) {
                watchers.add(new Watcher(id.s(), devices(item.get(ConnectionTable.DEVICES))));
            }
        });
        return List.copyOf(watchers);
    }

    /** A stored choice of devices; {@code null} (every device) when there is none or it is not a list. */
    private static Set<String> devices(AttributeValue value) {
        if (value == null || !value.hasL()) {
            return null;
        }
        Set<String> devices = new HashSet<>();
        for (AttributeValue device : value.l()) {
            if (device.s() != null) {
                devices.add(device.s());
            }
        }
        return devices;
    }

    /**
     * Hands every stored connection id to {@code action} as the Scan pages arrive, reading only the
     * key attribute. With several segments, {@code action} is called from several threads at once.
     * The scan is strongly consistent, so a row whose put has completed is always seen.
     */
    public void forEachConnectionId(Consumer<String> action) {
        Objects.requireNonNull(action, "action");
        forEachRow(false, item -> {
            AttributeValue id = item.get(ConnectionTable.PARTITION_KEY);
            if (id != null && id.s() != null && !isPlacesKey(id.s())) {
                action.accept(id.s());
            }
        });
    }

    private void forEachRow(boolean withDevices, Consumer<Map<String, AttributeValue>> action) {
        if (scanSegments == 1) {
            scanSegment(null, withDevices, action);
            return;
        }
        try (ExecutorService segments = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>(scanSegments);
            for (int segment = 0; segment < scanSegments; segment++) {
                int s = segment;
                running.add(segments.submit(() -> scanSegment(s, withDevices, action)));
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

    private void scanSegment(Integer segment, boolean withDevices, Consumer<Map<String, AttributeValue>> action) {
        ScanRequest.Builder request = ScanRequest.builder()
                .tableName(tableName)
                .consistentRead(true);
        if (withDevices) {
            request.projectionExpression(KEY_NAME + ", " + DEVICES_NAME)
                    .expressionAttributeNames(Map.of(KEY_NAME, ConnectionTable.PARTITION_KEY, DEVICES_NAME, ConnectionTable.DEVICES));
        } else {
            request.projectionExpression(KEY_NAME)
                    .expressionAttributeNames(Map.of(KEY_NAME, ConnectionTable.PARTITION_KEY));
        }
        if (segment != null) {
            request.segment(segment).totalSegments(scanSegments);
        }
        dynamoDb.scanPaginator(request.build()).items().forEach(action);
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
