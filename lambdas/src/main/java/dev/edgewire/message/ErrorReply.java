package dev.edgewire.message;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.runtime.Json;

/** An error to the client whose frame caused it, and to nobody else, naming that frame (its request id). */
final class ErrorReply {

    private ErrorReply() {
    }

    static void send(Broadcaster broadcaster, APIGatewayV2WebSocketEvent event, Envelope.Error error) {
        broadcaster.sendTo(event.getRequestContext().getConnectionId(),
                Json.write(error.answering(event.getRequestContext().getRequestId())));
    }
}
