package dev.edgewire.connection;

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
        var response = handler.handleRequest(Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        ArgumentCaptor<DeleteItemRequest> delete = ArgumentCaptor.forClass(DeleteItemRequest.class);
        verify(dynamoDb).deleteItem(delete.capture());
        assertThat(delete.getValue().tableName()).isEqualTo("connections");
        assertThat(delete.getValue().key()).isEqualTo(Map.of("connectionId", AttributeValue.fromS("Cl4bbeTTjoECGfQ=")));
        // No condition: deleting a row that is already gone succeeds, so a repeat is harmless.
        assertThat(delete.getValue().conditionExpression()).isNull();
        verifyNoMoreInteractions(dynamoDb);
    }
}
