package dev.edgewire.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.runtime.Json;
import java.util.Optional;

/**
 * Reads the body of a {@code sendMessage} frame, exactly what Postman or wscat send:
 * {@code {"action":"sendMessage","message":<any JSON value>,"deviceId":"thing-1"}} with
 * {@code deviceId} optional. Never throws for any input: every problem is a {@link Rejected}
 * whose detail the sender can act on.
 */
public final class SendMessageParser {

    /** API Gateway's WebSocket message limit; local mode enforces the same. */
    public static final int MAX_BODY_BYTES = 128 * 1024;

    private static final int MAX_DETAIL_CHARS = 200;

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
        if (body == null || body.isBlank()) {
            return new Rejected("The body is empty; send {\"action\":\"sendMessage\",\"message\":\"...\"}.");
        }
        long bytes = utf8Length(body);
        if (bytes > MAX_BODY_BYTES) {
            return new Rejected("The body is " + bytes + " bytes; the limit is " + MAX_BODY_BYTES + " bytes.");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return new Rejected("The body is not valid JSON: " + shorten(e.getOriginalMessage()));
        } catch (RuntimeException e) {
            // Jackson signals some limits (nesting depth, number length) this way.
            return new Rejected("The body is not valid JSON: " + shorten(String.valueOf(e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            return new Rejected("The body must be a JSON object such as {\"action\":\"sendMessage\",\"message\":\"...\"}.");
        }
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

    /** UTF-8 size without encoding the whole body; a lone surrogate counts as the 3 bytes of its replacement. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
    }
}
