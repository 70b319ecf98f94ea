package dev.edgewire.message;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.commands.DevicePublisher;
import java.util.Optional;

/**
 * Reads the body of a {@code sendMessage} frame, exactly what Postman or wscat send:
 * {@code {"action":"sendMessage","message":<any JSON value>,"deviceId":"thing-1"}} with
 * {@code deviceId} optional. Never throws for any input: every problem is a {@link Rejected}
 * whose detail the sender can act on.
 */
public final class SendMessageParser {

    /** API Gateway's WebSocket message limit; local mode enforces the same. */
    public static final int MAX_BODY_BYTES = Bodies.MAX_BODY_BYTES;

    private static final String EXAMPLE = "{\"action\":\"sendMessage\",\"message\":\"...\"}";

    /** What a parse gives: a request to carry out, or a reason to refuse it. */
    public sealed interface Result permits SendMessage, Rejected {
    }

    /** A valid request; {@code deviceId} empty means every device. */
    public record SendMessage(JsonNode message, Optional<String> deviceId) implements Result {
    }

    /** Why the body was refused, worded for the sender. */
    public record Rejected(String detail) implements Result {
    }

    public Result parse(String body) {
        Bodies.JsonObject parsed = Bodies.object(body, EXAMPLE);
        if (parsed.problem() != null) {
            return new Rejected(parsed.problem());
        }
        JsonNode root = parsed.object();
        JsonNode message = root.get("message");
        if (message == null || message.isNull()) {
            return new Rejected("\"message\" is missing; send {\"action\":\"sendMessage\",\"message\":\"...\"}.");
        }
        JsonNode deviceId = root.get("deviceId");
        if (deviceId == null || deviceId.isNull()) {
            return new SendMessage(message, Optional.empty());
        }
        if (!deviceId.isTextual()) {
            return new Rejected("\"deviceId\" must be a string, the name of a thing.");
        }
        if (!DevicePublisher.THING_NAME.matcher(deviceId.textValue()).matches()) {
            return new Rejected("\"deviceId\" must be a thing name: 1 to 128 of a-z, A-Z, 0-9, ':', '_' and '-'.");
        }
        return new SendMessage(message, Optional.of(deviceId.textValue()));
    }
}
