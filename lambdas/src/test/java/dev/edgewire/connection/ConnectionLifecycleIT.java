package dev.edgewire.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import dev.edgewire.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        String place = "Cl4bbeTTjoECGfQ=#" + (NOW.getEpochSecond() + 7800);
        assertThat(rows).containsExactlyInAnyOrder(Map.of(
                "connectionId", AttributeValue.fromS("Cl4bbeTTjoECGfQ="),
                "connectedAt", AttributeValue.fromN(Long.toString(NOW.toEpochMilli())),
                "expiresAt", AttributeValue.fromN(Long.toString(NOW.getEpochSecond() + 7800)),
                "sourceIp", AttributeValue.fromS("203.0.113.7"),
                "subject", AttributeValue.fromS("tester"),
                "place", AttributeValue.fromS(place)), Map.of(
                // The subject's places row: one place, however often the connect was retried.
                "connectionId", AttributeValue.fromS("subject#tester"),
                "places", AttributeValue.fromSs(List.of(place)),
                "expiresAt", AttributeValue.fromN(Long.toString(NOW.getEpochSecond() + 7800))));
        assertThat(connections.connectionIds()).containsExactly("Cl4bbeTTjoECGfQ=");
    }

    @Test
    void concurrentConnects_ofOneSubject_fromSeparateInstances_takeAtMostTheCap_andADisconnectFreesAPlace() throws Exception {
        int cap = 3;
        int connects = 12;
        List<Integer> statuses;
        try (var pool = Executors.newFixedThreadPool(connects)) {
            var start = new CountDownLatch(1);
            List<Future<Integer>> running = new ArrayList<>();
            for (int i = 0; i < connects; i++) {
                String id = "conn-" + i + "=";
                // One handler and repository per connect, as separate function instances would have.
                var instance = new ConnectHandler(new ConnectionRepository(dynamoDb, table, Clock.fixed(NOW, ZoneOffset.UTC), 1), cap);
                running.add(pool.submit(() -> {
                    start.await();
                    return instance.handleRequest(connectEvent(id), new LambdaContext()).getStatusCode();
                }));
            }
            start.countDown();
            statuses = new ArrayList<>();
            for (Future<Integer> f : running) {
                statuses.add(f.get(30, TimeUnit.SECONDS));
            }
        }

        assertThat(statuses).filteredOn(s -> s == 200).hasSize(cap);
        assertThat(statuses).filteredOn(s -> s == 429).hasSize(connects - cap);
        assertThat(connections.connectionIds()).hasSize(cap);

        var handler = new ConnectHandler(connections, cap);
        assertThat(handler.handleRequest(connectEvent("late="), new LambdaContext()).getStatusCode()).isEqualTo(429);
        String held = connections.connectionIds().getFirst();
        new DisconnectHandler(connections).handleRequest(disconnectEvent(held), new LambdaContext());
        assertThat(handler.handleRequest(connectEvent("late="), new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler.handleRequest(connectEvent("later="), new LambdaContext()).getStatusCode()).isEqualTo(429);
    }

    @Test
    void placesOfConnectionsThatVanishedWithoutDisconnect_areTakenBack_onceTheirRowsWouldHaveExpired() {
        var clock = new MutableClock(NOW);
        var repository = new ConnectionRepository(dynamoDb, table, clock, 1);
        var handler = new ConnectHandler(repository, 2);
        assertThat(handler.handleRequest(connectEvent("a="), new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler.handleRequest(connectEvent("b="), new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler.handleRequest(connectEvent("c="), new LambdaContext()).getStatusCode()).isEqualTo(429);

        clock.advance(Duration.ofHours(2).plusMinutes(9));
        assertThat(handler.handleRequest(connectEvent("c="), new LambdaContext()).getStatusCode()).isEqualTo(429);
        clock.advance(Duration.ofMinutes(1));
        assertThat(handler.handleRequest(connectEvent("c="), new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler.handleRequest(connectEvent("d="), new LambdaContext()).getStatusCode()).isEqualTo(200);
        assertThat(handler.handleRequest(connectEvent("e="), new LambdaContext()).getStatusCode()).isEqualTo(429);
    }

    @Test
    void disconnect_whoseRowABroadcastAlreadyDeleted_stillFreesItsPlace() {
        var handler = new ConnectHandler(connections, 1);
        assertThat(handler.handleRequest(connectEvent("a="), new LambdaContext()).getStatusCode()).isEqualTo(200);
        connections.delete("a=");

        new DisconnectHandler(connections).handleRequest(disconnectEvent("a="), new LambdaContext());

        assertThat(handler.handleRequest(connectEvent("b="), new LambdaContext()).getStatusCode()).isEqualTo(200);
    }

    @Test
    void lastDisconnect_ofASubject_deletesItsPlacesRow() {
        var handler = new ConnectHandler(connections, 2);
        handler.handleRequest(connectEvent("a="), new LambdaContext());
        handler.handleRequest(connectEvent("b="), new LambdaContext());

        new DisconnectHandler(connections).handleRequest(disconnectEvent("a="), new LambdaContext());
        assertThat(dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("connectionId", AttributeValue.fromS("subject#tester")))).hasItem()).isTrue();
        new DisconnectHandler(connections).handleRequest(disconnectEvent("b="), new LambdaContext());

        assertThat(dynamoDb.scan(b -> b.tableName(table)).items()).isEmpty();
    }

    private static APIGatewayV2WebSocketEvent connectEvent(String connectionId) {
        var event = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);
        event.getRequestContext().setConnectionId(connectionId);
        return event;
    }

    private static APIGatewayV2WebSocketEvent disconnectEvent(String connectionId) {
        var event = Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class);
        event.getRequestContext().setConnectionId(connectionId);
        return event;
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
