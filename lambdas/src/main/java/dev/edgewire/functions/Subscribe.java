package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.contract.Topology;

/** The {@code subscribe} route: {@code dev.edgewire.message.SubscribeHandler}. */
public final class Subscribe extends LambdaFunction<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    public Subscribe() {
        super(Topology.Function.SUBSCRIBE);
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return super.handleRequest(event, context);
    }
}
