package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.contract.Topology;

/** The {@code $default} route: {@code dev.edgewire.message.DefaultRouteHandler}. */
public final class DefaultRoute extends LambdaFunction<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    public DefaultRoute() {
        super(Topology.Function.DEFAULT);
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return super.handleRequest(event, context);
    }
}
