package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class DefaultRouteHandlerTest {

    private final ApiGatewayManagementApiClient api = mock(ApiGatewayManagementApiClient.class);
    private final DynamoDbClient dynamoDb = mock(DynamoDbClient.class);
    private final DefaultRouteHandler handler = new DefaultRouteHandler(
            new Broadcaster(api, new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 1), 8));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "from the event file|                                                    |Unknown action \"publish\"",
            "an unknown action  |{\"action\":\"publish\",\"message\":\"hi\"}|Unknown action \"publish\"",
            "no action          |{\"message\":\"hi\"}                         |has no \"action\"",
            "not JSON           |hello                                       |has no \"action\"",
    })
    void unknownAction_getsAnErrorNamingTheValidActions_toTheSenderOnly(String what, String body, String detail) throws Exception {
        var event = Events.load("default-route.json", APIGatewayV2WebSocketEvent.class);
        if (body != null) {
            event.setBody(body);
        }

        var response = handler.handleRequest(event, new LambdaContext());

        assertThat(response.getStatusCode()).isEqualTo(400);
        ArgumentCaptor<PostToConnectionRequest> post = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api).postToConnection(post.capture());
        verifyNoMoreInteractions(api);
        verifyNoInteractions(dynamoDb);
        assertThat(post.getValue().connectionId()).isEqualTo("Cl4bbeTTjoECGfQ=");
        JsonNode error = Json.MAPPER.readTree(post.getValue().data().asUtf8String());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").asText()).isEqualTo("BadRequest");
        assertThat(error.get("detail").asText()).contains(detail).contains("Valid actions: sendMessage");
    }
}
