package dev.edgewire.systemtests.clients;

import dev.edgewire.systemtests.target.Deployment;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The connection table named {@code TableName}, read as its design describes it: partition key
 * {@code connectionId} (S), {@code connectedAt} (N, epoch ms), {@code expiresAt} (N, epoch s, the TTL attribute).
 */
public final class ConnectionTable {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DynamoDbClient dynamoDb;
    private final String name;

    public ConnectionTable(Deployment deployment) {
        this.dynamoDb = deployment.table();
        this.name = deployment.tableName();
    }

    public Optional<Map<String, AttributeValue>> row(String connectionId) {
        var response = dynamoDb.getItem(b -> b.tableName(name).consistentRead(true).key(key(connectionId)));
        return response.hasItem() ? Optional.of(response.item()) : Optional.empty();
    }

    /**
     * Writes a row for a connection that does not exist, as a {@code $disconnect} that never ran leaves
     * behind; its id has the shape of API Gateway's (16 characters, the last one '=').
     */
    public String putRowOfAGoneConnection() {
        StringBuilder id = new StringBuilder("gone");
        while (id.length() < 15) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        id.append('=');
        Instant now = Instant.now();
        dynamoDb.putItem(b -> b.tableName(name).item(Map.of(
                "connectionId", AttributeValue.fromS(id.toString()),
                "connectedAt", AttributeValue.fromN(Long.toString(now.toEpochMilli())),
                "expiresAt", AttributeValue.fromN(Long.toString(now.plus(Duration.ofHours(2)).getEpochSecond())))));
        return id.toString();
    }

    public void delete(String connectionId) {
        dynamoDb.deleteItem(b -> b.tableName(name).key(key(connectionId)));
    }

    private static Map<String, AttributeValue> key(String connectionId) {
        return Map.of("connectionId", AttributeValue.fromS(connectionId));
    }
}
