package dev.edgewire.message;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The text of a WebSocket frame as API Gateway hands it over. */
final class Bodies {

    private Bodies() {
    }

    /** Binary frames arrive base64-encoded; a body that does not decode is treated as no body. */
    static String text(APIGatewayV2WebSocketEvent event) {
        String body = event.getBody();
        if (body == null || !event.isIsBase64Encoded()) {
            return body;
        }
        try {
            return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
