package dev.edgewire.connection;

import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verifyNoInteractions;
import dev.edgewire.contract.Topology;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
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

    private static final long EXPIRES = NOW.getEpochSecond() + 7200 + 600;
    /** The connection's entry among its subject's places: its id and when its row expires. */
    private static final String PLACE = "Cl4bbeTTjoECGfQ=#" + EXPIRES;

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
                "sourceIp", AttributeValue.fromS("203.0.113.7"),
                "subject", AttributeValue.fromS("tester"),
                "place", AttributeValue.fromS(PLACE)));
    }

    @Test
    void connect_takesAPlaceOfItsSubject_inOneConditionalUpdate_beforeStoringTheConnection() {
        handler.handleRequest(Events.load("connect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        ArgumentCaptor<UpdateItemRequest> update = ArgumentCaptor.forClass(UpdateItemRequest.class);
        var order = inOrder(dynamoDb);
        order.verify(dynamoDb).updateItem(update.capture());
        order.verify(dynamoDb).putItem(any(PutItemRequest.class));
        UpdateItemRequest place = update.getValue();
        assertThat(place.key()).isEqualTo(Map.of("connectionId", AttributeValue.fromS("subject#tester")));
        assertThat(place.updateExpression()).isEqualTo("ADD #places :entry SET #expires = :expires");
        assertThat(place.conditionExpression())
                .isEqualTo("attribute_not_exists(#places) OR size(#places) < :max OR contains(#places, :entryText)");
        assertThat(place.expressionAttributeNames()).isEqualTo(Map.of("#places", "places", "#expires", "expiresAt"));
        assertThat(place.expressionAttributeValues()).isEqualTo(Map.of(
                ":entry", AttributeValue.fromSs(List.of(PLACE)),
                ":entryText", AttributeValue.fromS(PLACE),
                ":expires", AttributeValue.fromN(Long.toString(EXPIRES)),
                ":max", AttributeValue.fromN(Integer.toString(Topology.ConnectionsPerSubject.MAX))));
    }

    @Test
    void connect_overTheCap_isRefusedWith429_andNothingIsStored() {
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenThrow(ConditionalCheckFailedException.builder().build());
        // Every place held by a connection that is still open.
        when(dynamoDb.getItem(any(GetItemRequest.class))).thenReturn(GetItemResponse.builder().item(Map.of(
                "places", AttributeValue.fromSs(List.of("a=#" + EXPIRES, "b=#" + (NOW.getEpochSecond() + 1))))).build());

        var response = handler.handleRequest(Events.load("connect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(429);
        verify(dynamoDb, never()).putItem(any(PutItemRequest.class));
        verify(dynamoDb, times(1)).updateItem(any(UpdateItemRequest.class));
    }

    @Test
    void connect_overTheCap_takesBackPlacesWhoseConnectionsExpired_andThenItsOwn() {
        String expired = "gone=#" + NOW.getEpochSecond();
        when(dynamoDb.updateItem(any(UpdateItemRequest.class)))
                .thenThrow(ConditionalCheckFailedException.builder().build())
                .thenReturn(UpdateItemResponse.builder().attributes(Map.of(
                        "places", AttributeValue.fromSs(List.of("a=#" + EXPIRES)))).build())
                .thenReturn(UpdateItemResponse.builder().build());
        when(dynamoDb.getItem(any(GetItemRequest.class))).thenReturn(GetItemResponse.builder().item(Map.of(
                "places", AttributeValue.fromSs(List.of("a=#" + EXPIRES, expired)))).build());

        var response = handler.handleRequest(Events.load("connect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        ArgumentCaptor<UpdateItemRequest> updates = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb, times(3)).updateItem(updates.capture());
        UpdateItemRequest takeBack = updates.getAllValues().get(1);
        assertThat(takeBack.updateExpression()).isEqualTo("DELETE #places :entries");
        assertThat(takeBack.expressionAttributeValues()).isEqualTo(Map.of(":entries", AttributeValue.fromSs(List.of(expired))));
        ArgumentCaptor<GetItemRequest> read = ArgumentCaptor.forClass(GetItemRequest.class);
        verify(dynamoDb).getItem(read.capture());
        assertThat(read.getValue().consistentRead()).isTrue();
        verify(dynamoDb).putItem(any(PutItemRequest.class));
    }

    @Test
    void connect_withoutTheAuthorizersSubject_isRefused() {
        var event = Events.load("connect.json", APIGatewayV2WebSocketEvent.class);
        event.getRequestContext().setAuthorizer(null);

        assertThat(handler.handleRequest(event, new LambdaContext()).getStatusCode()).isEqualTo(403);
        verifyNoInteractions(dynamoDb);
    }

    @Test
    void connect_givesItsPlaceBack_whenStoringTheConnectionFails() {
        when(dynamoDb.putItem(any(PutItemRequest.class)))
                .thenThrow(DynamoDbException.builder().message("throttled").statusCode(400).build());
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenReturn(UpdateItemResponse.builder().build());

        assertThatThrownBy(() -> handler.handleRequest(Events.load("connect.json", APIGatewayV2WebSocketEvent.class),
                new LambdaContext())).isInstanceOf(DynamoDbException.class);

        ArgumentCaptor<UpdateItemRequest> updates = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb, times(2)).updateItem(updates.capture());
        assertThat(updates.getAllValues().get(1).updateExpression()).isEqualTo("DELETE #places :entries");
        assertThat(updates.getAllValues().get(1).expressionAttributeValues())
                .isEqualTo(Map.of(":entries", AttributeValue.fromSs(List.of(PLACE))));
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
        assertThat(put.getValue().item()).containsOnlyKeys("connectionId", "connectedAt", "expiresAt", "subject", "place");
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
