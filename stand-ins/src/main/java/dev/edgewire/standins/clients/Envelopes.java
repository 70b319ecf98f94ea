package dev.edgewire.standins.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The envelopes a WebSocket message carries, by the frame contract (docs/architecture.md, "Frames"):
 * a {@code {"type":"batch","items":[...]}} message carries its items, in order; any other JSON object
 * is one envelope.
 */
public final class Envelopes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BATCH_PREFIX = "{\"type\":\"batch\",";

    private Envelopes() {
    }

    /** The envelopes of one message; a message that is not JSON is returned as a text node. */
    public static List<JsonNode> of(String message) {
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (Exception notJson) {
            return List.of(JSON.getNodeFactory().textNode(message));
        }
        if ("batch".equals(node.path("type").asText()) && node.path("items").isArray()) {
            List<JsonNode> items = new ArrayList<>(node.path("items").size());
            node.path("items").forEach(items::add);
            return items;
        }
        return List.of(node);
    }

    /** How many envelopes a message carries, parsing only batch messages. */
    public static int count(String message) {
        return message.startsWith(BATCH_PREFIX) ? of(message).size() : 1;
    }
}
