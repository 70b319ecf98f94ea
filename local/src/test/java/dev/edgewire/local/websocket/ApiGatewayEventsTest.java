package dev.edgewire.local.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.local.cost.CostMeter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiGatewayEventsTest {

    private final ApiGatewayEvents events = new ApiGatewayEvents("demo");
    private final LocalConnection connection = new LocalConnection("abc=", 1_700_000_000_000L, "10.0.0.7", "wscat",
            Map.of("subject", "alice", "principalId", "alice"), 32 * 1024, new CostMeter());

    @Test
    void connect_carriesTheUpgradesHeadersAndQuery_singleAndMultiValued() {
        APIGatewayV2WebSocketEvent event = events.connect(connection, Map.of("Host", "127.0.0.1"),
                Map.of("token", "v2.x"));

        assertThat(event.getRequestContext().getRouteKey()).isEqualTo("$connect");
        assertThat(event.getRequestContext().getEventType()).isEqualTo("CONNECT");
        assertThat(event.getHeaders()).isEqualTo(Map.of("Host", "127.0.0.1"));
        assertThat(event.getMultiValueHeaders()).isEqualTo(Map.of("Host", List.of("127.0.0.1")));
        assertThat(event.getQueryStringParameters()).isEqualTo(Map.of("token", "v2.x"));
        assertThat(event.getMultiValueQueryStringParameters()).isEqualTo(Map.of("token", List.of("v2.x")));
    }

    @Test
    void connect_withoutAQueryString_hasNoQueryParameters_asApiGatewaySendsIt() {
        APIGatewayV2WebSocketEvent event = events.connect(connection, Map.of(), Map.of());

        assertThat(event.getQueryStringParameters()).isNull();
        assertThat(event.getMultiValueQueryStringParameters()).isNull();
    }

    @Test
    void everyEvent_hasTheConnectionsRequestContext_andItsOwnRequestId() {
        APIGatewayV2WebSocketEvent first = events.message(connection, "sendMessage", "m-1", "{}", false);
        APIGatewayV2WebSocketEvent second = events.disconnect(connection);

        var context = first.getRequestContext();
        assertThat(context.getConnectionId()).isEqualTo("abc=");
        assertThat(context.getConnectedAt()).isEqualTo(1_700_000_000_000L);
        assertThat(context.getStage()).isEqualTo("demo");
        assertThat(context.getMessageDirection()).isEqualTo("IN");
        assertThat(context.getIdentity().getSourceIp()).isEqualTo("10.0.0.7");
        assertThat(context.getIdentity().getUserAgent()).isEqualTo("wscat");
        assertThat(context.getAuthorizer()).isEqualTo(Map.of("subject", "alice", "principalId", "alice"));
        assertThat(context.getRequestId()).isNotEqualTo(second.getRequestContext().getRequestId());
        assertThat(second.getRequestContext().getRouteKey()).isEqualTo("$disconnect");
        assertThat(second.getRequestContext().getEventType()).isEqualTo("DISCONNECT");
    }

    @Test
    void theConnectAuthorizersContext_reachesEveryLaterEventOfTheConnection_withTheTokensGrant() {
        var granted = new LocalConnection("g=", 1_700_000_000_000L, "10.0.0.7", "wscat",
                Map.of("principalId", "bob", "subject", "bob", "devices", "thing-1,thing-2"), 32 * 1024, new CostMeter());
        Map<String, Object> expected = Map.of("principalId", "bob", "subject", "bob", "devices", "thing-1,thing-2");

        assertThat(events.connect(granted, Map.of(), Map.of()).getRequestContext().getAuthorizer()).isEqualTo(expected);
        assertThat(events.message(granted, "sendMessage", "m-1", "{}", false).getRequestContext().getAuthorizer())
                .isEqualTo(expected);
        assertThat(events.message(granted, "subscribe", "m-2", "{}", false).getRequestContext().getAuthorizer())
                .isEqualTo(expected);
        assertThat(events.disconnect(granted).getRequestContext().getAuthorizer()).isEqualTo(expected);
    }

    @Test
    void aBinaryMessage_isSentAsItsBase64() {
        APIGatewayV2WebSocketEvent event = events.message(connection, "$default", "m-2", "AAE=", true);

        assertThat(event.getRequestContext().getRouteKey()).isEqualTo("$default");
        assertThat(event.getRequestContext().getEventType()).isEqualTo("MESSAGE");
        assertThat(event.getRequestContext().getMessageId()).isEqualTo("m-2");
        assertThat(event.getBody()).isEqualTo("AAE=");
        assertThat(event.isIsBase64Encoded()).isTrue();
    }

    @Test
    void theAuthorizersEvent_asksForTheConnectMethodOfTheStage() {
        var event = events.authorizer(Map.of("Host", "127.0.0.1"), Map.of("token", "v2.x"), "10.0.0.7");

        assertThat(event.getType()).isEqualTo("REQUEST");
        assertThat(event.getMethodArn()).isEqualTo("arn:aws:execute-api:local:000000000000:local/demo/$connect")
                .isEqualTo(events.connectMethodArn());
        assertThat(event.getQueryStringParameters()).isEqualTo(Map.of("token", "v2.x"));
        assertThat(event.getRequestContext().getIdentity().getSourceIp()).isEqualTo("10.0.0.7");
    }

    @Test
    void anIntegrationsStatus_is200_unlessItsResponseSaysOtherwise() {
        assertThat(ApiGatewayEvents.status(null)).isEqualTo(200);
        assertThat(ApiGatewayEvents.status(new APIGatewayV2WebSocketResponse())).isEqualTo(200);
        var refused = new APIGatewayV2WebSocketResponse();
        refused.setStatusCode(403);
        assertThat(ApiGatewayEvents.status(refused)).isEqualTo(403);
    }
}
