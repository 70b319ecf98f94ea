package dev.edgewire.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

class ConnectHandlerTest {

    private static final Instant NOW = Instant.parse("2026-11-29T21:00:00.123Z");

    private final DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
    private final ConnectHandler handler = new ConnectHandler(
            new ConnectionRepository(dynamoDb, "connections", Clock.fixed(NOW, ZoneOffset.UTC), 1));

    @Test
    void connect_storesTheConnection_withConnectedAtExpiryPastTwoHoursAndSourceIp() {
        var response = handler.handleRequest(Events.load("connect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        ArgumentCaptor<PutItemRequest> put = ArgumentCaptor.forClass(PutItemRequest.class);
        verify(dynamoDb).putItem(put.capture());
        assertThat(put.getValue().tableName()).isEqualTo("connections");
        assertThat(put.getValue().conditionExpression()).isNull();
        assertThat(put.getValue().item()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "connectionId", AttributeValue.fromS("Cl4bbeTTjoECGfQ="),
                "connectedAt", AttributeValue.fromN(Long.toString(NOW.toEpochMilli())),
                // 2 h of API Gateway's limit plus a 10 min margin, in epoch seconds
                "expiresAt", AttributeValue.fromN(Long.toString(NOW.getEpochSecond() + 7200 + 600)),
                "sourceIp", AttributeValue.fromS("203.0.113.7")));
    }

    @Test
    void connect_isIdempotent_aRetryWritesTheSameRowAgain() {
        var event = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);

        handler.handleRequest(event, new LambdaContext());
        handler.handleRequest(event, new LambdaContext());

        ArgumentCaptor<PutItemRequest> puts = ArgumentCaptor.forClass(PutItemRequest.class);
        verify(dynamoDb, times(2)).putItem(puts.capture());
        List<PutItemRequest> both = puts.getAllValues();
        assertThat(both.get(0)).isEqualTo(both.get(1));
        assertThat(both.get(0).conditionExpression()).as("an unconditional put cannot fail on a repeat").isNull();
    }

    @Test
    void connect_storesNoSourceIp_whenTheEventHasNone() {
        var event = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);
        event.getRequestContext().setIdentity(null);

        handler.handleRequest(event, null);

        ArgumentCaptor<PutItemRequest> put = ArgumentCaptor.forClass(PutItemRequest.class);
        verify(dynamoDb).putItem(put.capture());
        assertThat(put.getValue().item()).containsOnlyKeys("connectionId", "connectedAt", "expiresAt");
    }

    @Test
    void connect_fails_soApiGatewayRefusesTheConnection_whenTheTableWriteFails() {
        when(dynamoDb.putItem(any(PutItemRequest.class)))
                .thenThrow(DynamoDbException.builder().message("throttled").statusCode(400).build());
        var event = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);

        assertThatThrownBy(() -> handler.handleRequest(event, new LambdaContext()))
                .isInstanceOf(DynamoDbException.class);
    }
}
