package dev.edgewire.broadcast;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/** What the cloud sends to WebSocket clients: always a JSON object with a {@code type}. */
public sealed interface Envelope {

    @JsonProperty("type")
    String type();

    /**
     * A message a client sent with {@code sendMessage}. {@code id} is unique to the message (API
     * Gateway's request id of the frame that carried it) and stays the same on every delivery of it,
     * so a watcher that gets it twice, after a retry, can drop the second; {@code sentAt} is epoch
     * milliseconds.
     */
    @JsonPropertyOrder({"type", "id", "from", "message", "sentAt"})
    record Message(String id, String from, JsonNode message, long sentAt) implements Envelope {
        public static final String TYPE = "message";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * A device reading from an IoT topic rule. {@code id} is the readings queue's id of the message
     * that carried it, the same on every delivery of it (a batch received again after a failure, a
     * shard retried), so a watcher can drop a retry's duplicate; {@code receivedAt} is IoT's
     * {@code timestamp()}, epoch milliseconds.
     */
    @JsonPropertyOrder({"type", "id", "deviceId", "topic", "receivedAt", "reading"})
    record Telemetry(String id, String deviceId, String topic, Object receivedAt, JsonNode reading) implements Envelope {
        public static final String TYPE = "telemetry";

        @Override
        public String type() {
            return TYPE;
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
     * An error, sent to the client that caused it and to nobody else: {@code error} names it,
     * {@code detail} says what to do; {@code retryAfterMs} (only on {@value #TOO_MANY_MESSAGES}) says
     * when to try again; {@code requestId} is API Gateway's id of the frame it answers (the id the
     * message would have had), so a client can tell which send it is about and drop a second copy.
     */
    @JsonPropertyOrder({"type", "error", "detail", "retryAfterMs", "requestId"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Error(String error, String detail, Long retryAfterMs, String requestId) implements Envelope {
        public static final String BAD_REQUEST = "BadRequest";
        public static final String TOO_MANY_MESSAGES = "TooManyMessages";
        /** A command to a device the sender's token does not allow. */
        public static final String FORBIDDEN = "Forbidden";

        public Error(String error, String detail) {
            this(error, detail, null, null);
        }

        /** This error as the answer to the frame API Gateway named {@code requestId}. */
        public Error answering(String requestId) {
            return new Error(error, detail, retryAfterMs, requestId);
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
