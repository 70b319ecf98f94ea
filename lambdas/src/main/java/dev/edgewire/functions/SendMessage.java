package dev.edgewire.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import dev.edgewire.contract.Topology;

/** The {@code sendMessage} route: {@code dev.edgewire.message.SendMessageHandler}. */
public final class SendMessage extends LambdaFunction<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {

    public SendMessage() {
        super(Topology.Function.SEND_MESSAGE);
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return super.handleRequest(event, context);
    }
}
