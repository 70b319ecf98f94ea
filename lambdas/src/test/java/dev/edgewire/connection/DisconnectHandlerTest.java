package dev.edgewire.connection;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.when;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;

class DisconnectHandlerTest {

    private final DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
    private final DisconnectHandler handler = new DisconnectHandler(
            new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 1));

    @Test
    void disconnect_deletesExactlyThatConnection_unconditionally() {
        when(dynamoDb.deleteItem(any(DeleteItemRequest.class))).thenReturn(DeleteItemResponse.builder().build());
        when(dynamoDb.getItem(any(GetItemRequest.class))).thenReturn(GetItemResponse.builder().build());

        var response = handler.handleRequest(Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        ArgumentCaptor<DeleteItemRequest> delete = ArgumentCaptor.forClass(DeleteItemRequest.class);
        verify(dynamoDb).deleteItem(delete.capture());
        assertThat(delete.getValue().tableName()).isEqualTo("connections");
        assertThat(delete.getValue().key()).isEqualTo(Map.of("connectionId", AttributeValue.fromS("Cl4bbeTTjoECGfQ=")));
        // No condition: deleting a row that is already gone succeeds, so a repeat is harmless.
        assertThat(delete.getValue().conditionExpression()).isNull();
        // Nothing to give back: the row had no place and the subject's places row does not name it.
        verify(dynamoDb, never()).updateItem(any(UpdateItemRequest.class));
    }

    @Test
    void disconnect_givesThePlaceOnTheRowBack_andDeletesThePlacesRowOnceItHoldsNone() {
        when(dynamoDb.deleteItem(any(DeleteItemRequest.class))).thenReturn(DeleteItemResponse.builder().attributes(Map.of(
                "connectionId", AttributeValue.fromS("Cl4bbeTTjoECGfQ="),
                "subject", AttributeValue.fromS("tester"),
                "place", AttributeValue.fromS("Cl4bbeTTjoECGfQ=#1795993800"))).build());
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenReturn(UpdateItemResponse.builder().build());

        handler.handleRequest(Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        ArgumentCaptor<UpdateItemRequest> update = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb).updateItem(update.capture());
        assertThat(update.getValue().key()).isEqualTo(Map.of("connectionId", AttributeValue.fromS("subject#tester")));
        assertThat(update.getValue().updateExpression()).isEqualTo("DELETE #places :entries");
        assertThat(update.getValue().expressionAttributeValues())
                .isEqualTo(Map.of(":entries", AttributeValue.fromSs(List.of("Cl4bbeTTjoECGfQ=#1795993800"))));
        ArgumentCaptor<DeleteItemRequest> deletes = ArgumentCaptor.forClass(DeleteItemRequest.class);
        verify(dynamoDb, times(2)).deleteItem(deletes.capture());
        assertThat(deletes.getAllValues().get(0).returnValues()).isEqualTo(ReturnValue.ALL_OLD);
        DeleteItemRequest placesRow = deletes.getAllValues().get(1);
        assertThat(placesRow.key()).isEqualTo(Map.of("connectionId", AttributeValue.fromS("subject#tester")));
        // Only if no connect took a place in between.
        assertThat(placesRow.conditionExpression()).isEqualTo("attribute_not_exists(#places)");
        verify(dynamoDb, never()).getItem(any(GetItemRequest.class));
    }

    @Test
    void disconnect_ofARowAlreadyDeleted_findsItsPlaceThroughTheAuthorizersSubject() {
        when(dynamoDb.deleteItem(any(DeleteItemRequest.class))).thenReturn(DeleteItemResponse.builder().build());
        when(dynamoDb.getItem(any(GetItemRequest.class))).thenReturn(GetItemResponse.builder().item(Map.of(
                "places", AttributeValue.fromSs(List.of("Cl4bbeTTjoECGfQ=#1795993800", "other=#1795993900")))).build());
        when(dynamoDb.updateItem(any(UpdateItemRequest.class))).thenReturn(UpdateItemResponse.builder().attributes(Map.of(
                "places", AttributeValue.fromSs(List.of("other=#1795993900")))).build());

        handler.handleRequest(Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        ArgumentCaptor<UpdateItemRequest> update = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb).updateItem(update.capture());
        assertThat(update.getValue().expressionAttributeValues())
                .isEqualTo(Map.of(":entries", AttributeValue.fromSs(List.of("Cl4bbeTTjoECGfQ=#1795993800"))));
        // Another connection still holds a place: the row stays.
        verify(dynamoDb, times(1)).deleteItem(any(DeleteItemRequest.class));
    }
}
