package dev.edgewire.broadcast;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/** What the cloud sends to WebSocket clients: always a JSON object with a {@code type}. */
public sealed interface Envelope {

    @JsonProperty("type")
    String type();

    /** A message a client sent with {@code sendMessage}. {@code sentAt} is epoch milliseconds. */
    @JsonPropertyOrder({"type", "from", "message", "sentAt"})
    record Message(String from, JsonNode message, long sentAt) implements Envelope {
        public static final String TYPE = "message";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** A device reading from an IoT topic rule. {@code receivedAt} is IoT's {@code timestamp()}, epoch milliseconds. */
    @JsonPropertyOrder({"type", "deviceId", "topic", "receivedAt", "reading"})
    record Telemetry(String deviceId, String topic, Object receivedAt, JsonNode reading) implements Envelope {
        @Override
        public String type() {
            return "telemetry";
        }
    }

    /**
     * The answer to {@code subscribe}, to its sender alone: the devices it now gets readings from,
     * a list of thing names or {@code "all"}.
     */
    @JsonPropertyOrder({"type", "devices"})
    record Subscribed(Object devices) implements Envelope {
        @Override
        public String type() {
            return "subscribed";
        }
    }

    /**
     * An error, sent to the client that caused it and to nobody else: {@code error} names it, {@code detail} says what to do;
     * {@code retryAfterMs} (only on {@value #TOO_MANY_MESSAGES}) says when to try again.
     */
    @JsonPropertyOrder({"type", "error", "detail", "retryAfterMs"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Error(String error, String detail, Long retryAfterMs) implements Envelope {
        public static final String BAD_REQUEST = "BadRequest";
        public static final String TOO_MANY_MESSAGES = "TooManyMessages";
        /** A command to a device the sender's token does not allow. */
        public static final String FORBIDDEN = "Forbidden";

        public Error(String error, String detail) {
            this(error, detail, null);
        }

        public static Error badRequest(String detail) {
            return new Error(BAD_REQUEST, detail);
        }

        @Override
        public String type() {
            return "error";
        }
    }
}
