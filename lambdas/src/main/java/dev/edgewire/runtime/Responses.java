package dev.edgewire.runtime;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;

/** Responses of the WebSocket routes; API Gateway only forwards a body on routes with a route response. */
public final class Responses {

    private Responses() {
    }

    public static APIGatewayV2WebSocketResponse status(int statusCode) {
        APIGatewayV2WebSocketResponse response = new APIGatewayV2WebSocketResponse();
        response.setStatusCode(statusCode);
        return response;
    }

    public static APIGatewayV2WebSocketResponse ok() {
        return status(200);
    }
}
