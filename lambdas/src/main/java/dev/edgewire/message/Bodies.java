package dev.edgewire.message;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The text of a WebSocket frame as API Gateway hands it over, and its JSON object. */
final class Bodies {

    /** API Gateway's WebSocket message limit; local mode enforces the same. */
    static final int MAX_BODY_BYTES = 128 * 1024;
    private static final int MAX_DETAIL_CHARS = 200;

    /** A body read as a JSON object, or, when it is not one, why, worded for the sender. */
    record JsonObject(ObjectNode object, String problem) {
    }

    private Bodies() {
    }

    /**
     * The body as a JSON object, or the problem with it: empty, over {@link #MAX_BODY_BYTES}, not
     * JSON, or not an object. {@code example} is a body the sender could send instead. Never throws.
     */
    static JsonObject object(String body, String example) {
        if (body == null || body.isBlank()) {
            return new JsonObject(null, "The body is empty; send " + example + ".");
        }
        long bytes = Utf8.length(body);
        if (bytes > MAX_BODY_BYTES) {
            return new JsonObject(null, "The body is " + bytes + " bytes; the limit is " + MAX_BODY_BYTES + " bytes.");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return new JsonObject(null, "The body is not valid JSON: " + shorten(e.getOriginalMessage()));
        } catch (RuntimeException e) {
            // Jackson signals some limits (nesting depth, number length) this way.
            return new JsonObject(null, "The body is not valid JSON: " + shorten(String.valueOf(e.getMessage())));
        }
        if (!(root instanceof ObjectNode object)) {
            return new JsonObject(null, "The body must be a JSON object such as " + example + ".");
        }
        return new JsonObject(object, null);
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
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
