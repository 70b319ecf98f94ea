package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.contract.Topology;

/** The {@code $connect} route: {@code dev.edgewire.connection.ConnectHandler}. */
public final class Connect extends LambdaFunction<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    public Connect() {
        super(Topology.Function.CONNECT);
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return super.handleRequest(event, context);
    }
}
