package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

class SubscribeHandlerTest {

    private static final String SENDER = "Cl4bbeTTjoECGfQ=";

    private final DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
    private final ApiGatewayManagementApiClient api = mock(ApiGatewayManagementApiClient.class);
    private final ConnectionRepository connections = new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 1);
    private final SubscribeHandler handler = new SubscribeHandler(new SubscribeParser(), connections,
            new Broadcaster(api, connections, 4));

    private APIGatewayV2WebSocketEvent frame(String body) {
        APIGatewayV2WebSocketEvent event = Events.load("subscribe.json", APIGatewayV2WebSocketEvent.class);
        event.setBody(body);
        return event;
    }

    private JsonNode answer() throws Exception {
        ArgumentCaptor<PostToConnectionRequest> post = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api).postToConnection(post.capture());
        assertThat(post.getValue().connectionId()).isEqualTo(SENDER);
        return Json.MAPPER.readTree(post.getValue().data().asUtf8String());
    }

    @Test
    void aChoiceOfDevices_isStoredOnTheSendersRow_onlyIfItExists_andConfirmedToTheSenderAlone() throws Exception {
        var response = handler.handleRequest(Events.load("subscribe.json", APIGatewayV2WebSocketEvent.class), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(200);
        ArgumentCaptor<UpdateItemRequest> update = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb).updateItem(update.capture());
        assertThat(update.getValue().key().get(ConnectionTable.PARTITION_KEY).s()).isEqualTo(SENDER);
        assertThat(update.getValue().conditionExpression()).isEqualTo("attribute_exists(#id)");
        assertThat(update.getValue().updateExpression()).isEqualTo("SET #devices = :devices");
        assertThat(update.getValue().expressionAttributeNames()).containsEntry("#devices", ConnectionTable.DEVICES);
        assertThat(update.getValue().expressionAttributeValues().get(":devices").l())
                .extracting(AttributeValue::s).containsExactly("thing-1", "thing-2");
        assertThat(answer()).isEqualTo(Json.MAPPER.readTree("{\"type\":\"subscribed\",\"devices\":[\"thing-1\",\"thing-2\"]}"));
    }

    @Test
    void all_removesTheChoice_andSaysAll() throws Exception {
        handler.handleRequest(frame("{\"action\":\"subscribe\",\"devices\":\"all\"}"), new LambdaContext());

        ArgumentCaptor<UpdateItemRequest> update = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb).updateItem(update.capture());
        assertThat(update.getValue().updateExpression()).isEqualTo("REMOVE #devices");
        assertThat(update.getValue().expressionAttributeValues()).isEmpty();
        assertThat(answer().get("devices").asText()).isEqualTo("all");
    }

    @Test
    void aBadBody_getsAnErrorToTheSender_andStoresNothing() throws Exception {
        var response = handler.handleRequest(frame("{\"action\":\"subscribe\",\"devices\":[\"#\"]}"), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(400);
        verify(dynamoDb, never()).updateItem(any(UpdateItemRequest.class));
        JsonNode error = answer();
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").asText()).isEqualTo("BadRequest");
        assertThat(error.get("detail").asText()).contains("must be a thing name");
    }

    @Test
    void aConnectionWithoutARow_isToldSo_andNoRowIsCreated() throws Exception {
        when(dynamoDb.updateItem(any(UpdateItemRequest.class)))
                .thenThrow(ConditionalCheckFailedException.builder().message("The conditional request failed").build());

        var response = handler.handleRequest(frame("{\"action\":\"subscribe\",\"devices\":[]}"), new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(410);
        assertThat(answer().get("error").asText()).isEqualTo("NotConnected");
        ArgumentCaptor<UpdateItemRequest> update = ArgumentCaptor.forClass(UpdateItemRequest.class);
        verify(dynamoDb).updateItem(update.capture());
        assertThat(update.getValue().expressionAttributeValues().get(":devices").l()).isEqualTo(List.of());
    }
}
