package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.contract.Topology;

/** The {@code $disconnect} route: {@code dev.edgewire.connection.DisconnectHandler}. */
public final class Disconnect extends LambdaFunction<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    public Disconnect() {
        super(Topology.Function.DISCONNECT);
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return super.handleRequest(event, context);
    }
}
