package dev.edgewire.standins.dynamodb;

import dev.edgewire.contract.Topology.ConnectionTable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The connection table made in a DynamoDB-compatible store as infra's stack makes it on AWS: the
 * partition key of {@link ConnectionTable}, on-demand billing. (TTL on {@code expiresAt} is the
 * store's business; dynalite has none, and local mode expires rows itself.)
 */
public final class ConnectionTables {

    private ConnectionTables() {
    }

    /** Creates the table {@code name} and waits until it exists. */
    public static void create(DynamoDbClient dynamo, String name) {
        dynamo.createTable(b -> b.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder()
                        .attributeName(ConnectionTable.PARTITION_KEY).attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder()
                        .attributeName(ConnectionTable.PARTITION_KEY).keyType(KeyType.HASH).build()));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(name));
    }

    /** Creates the table {@code name} unless it exists; true if it was created. */
    public static boolean createIfMissing(DynamoDbClient dynamo, String name) {
        try {
            dynamo.describeTable(b -> b.tableName(name));
            return false;
        } catch (ResourceNotFoundException missing) {
            create(dynamo, name);
            return true;
        }
    }
}
