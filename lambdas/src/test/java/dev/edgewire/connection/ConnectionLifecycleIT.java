package dev.edgewire.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@ExtendWith(DynamoDbExtension.class)
class ConnectionLifecycleIT {

    private static final Instant NOW = Instant.parse("2026-11-29T21:00:00.123Z");

    private DynamoDbClient dynamoDb;
    private String table;
    private ConnectionRepository connections;

    @BeforeEach
    void createTable(Endpoint endpoint, DynamoDbClient dynamoDb) {
        this.dynamoDb = dynamoDb;
        table = endpoint.createConnectionTable(dynamoDb);
        connections = new ConnectionRepository(dynamoDb, table, Clock.fixed(NOW, ZoneOffset.UTC), 1);
    }

    @AfterEach
    void dropTable() {
        dynamoDb.deleteTable(b -> b.tableName(table));
    }

    @Test
    void connect_storesOneRow_evenWhenRetried_withTheTableSchemasAttributes() {
        var handler = new ConnectHandler(connections);
        var event = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);

        handler.handleRequest(event, new LambdaContext());
        handler.handleRequest(event, new LambdaContext());

        var rows = dynamoDb.scan(b -> b.tableName(table)).items();
        assertThat(rows).singleElement().isEqualTo(Map.of(
                "connectionId", AttributeValue.fromS("Cl4bbeTTjoECGfQ="),
                "connectedAt", AttributeValue.fromN(Long.toString(NOW.toEpochMilli())),
                "expiresAt", AttributeValue.fromN(Long.toString(NOW.getEpochSecond() + 7800)),
                "sourceIp", AttributeValue.fromS("203.0.113.7")));
    }

    @Test
    void disconnect_deletesTheConnection_whenItExists_andLeavesTheOthers() {
        connections.save("Cl4bbeTTjoECGfQ=", null);
        connections.save("someone-else", null);

        new DisconnectHandler(connections).handleRequest(Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(connections.connectionIds()).containsExactly("someone-else");
    }

    @Test
    void disconnect_succeeds_whenTheRowIsAlreadyGone() {
        var handler = new DisconnectHandler(connections);
        var event = Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class);

        assertThat(handler.handleRequest(event, new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler.handleRequest(event, new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(connections.connectionIds()).isEmpty();
    }
}
