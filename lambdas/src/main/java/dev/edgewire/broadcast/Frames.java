package dev.edgewire.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.runtime.Json;
import dev.edgewire.runtime.Utf8;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs envelopes into as few WebSocket messages as API Gateway's billing unit allows. API Gateway
 * meters WebSocket messages in 32 KB increments (Amazon API Gateway pricing, "WebSocket APIs"), so a
 * message of up to 32 KB costs the same as a message of 10 bytes.
 *
 * <p>The frame contract ({@code docs/architecture.md}, "Frames"): a message with several envelopes is
 * {@code {"type":"batch","items":[<envelope>,...]}}, each item exactly the envelope a lone reading
 * would be; a message with one envelope is that envelope, as it has always been. Order is kept. An
 * envelope over the unit on its own goes alone (API Gateway takes messages up to 128 KB).
 */
public final class Frames {

    /** API Gateway's metering unit for WebSocket messages. */
    public static final int BILLING_UNIT_BYTES = 32 * 1024;
    static final String BATCH_TYPE = "batch";
    static final String BATCH_PREFIX = "{\"type\":\"batch\",\"items\":[";
    static final String BATCH_SUFFIX = "]}";
    private static final int WRAPPER_BYTES = BATCH_PREFIX.length() + BATCH_SUFFIX.length();

    private Frames() {
    }

    /** The messages that carry {@code envelopes} (JSON objects, in order), each at most {@code limitBytes} when it can be. */
    public static List<String> pack(List<String> envelopes, int limitBytes) {
        List<String> frames = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long currentBytes = WRAPPER_BYTES;
        for (String envelope : envelopes) {
            long bytes = Utf8.length(envelope);
            int separator = current.isEmpty() ? 0 : 1;
            if (!current.isEmpty() && currentBytes + separator + bytes > limitBytes) {
                frames.add(frame(current));
                current.clear();
                currentBytes = WRAPPER_BYTES;
                separator = 0;
            }
            current.add(envelope);
            currentBytes += separator + bytes;
        }
        if (!current.isEmpty()) {
            frames.add(frame(current));
        }
        return frames;
    }

    /** {@link #pack(List, int)} with API Gateway's 32 KB unit. */
    public static List<String> pack(List<String> envelopes) {
        return pack(envelopes, BILLING_UNIT_BYTES);
    }

    private static String frame(List<String> items) {
        if (items.size() == 1) {
            return items.getFirst();
        }
        StringBuilder frame = new StringBuilder(BATCH_PREFIX);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                frame.append(',');
            }
            frame.append(items.get(i));
        }
        return frame.append(BATCH_SUFFIX).toString();
    }

    /**
     * The readings a frame carries: 1 for a telemetry envelope, the telemetry items of a batch, 0 for
     * anything else (the metrics count readings delivered with it).
     */
    public static int readings(String frame) {
        try {
            JsonNode tree = Json.MAPPER.readTree(frame);
            String type = tree.path("type").asText("");
            if (Envelope.Telemetry.TYPE.equals(type)) {
                return 1;
            }
            int readings = 0;
            if (BATCH_TYPE.equals(type)) {
                for (JsonNode item : tree.path("items")) {
                    if (Envelope.Telemetry.TYPE.equals(item.path("type").asText(""))) {
                        readings++;
                    }
                }
            }
            return readings;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The UTF-8 length of a frame as sent. */
    public static int bytes(String frame) {
        return frame.getBytes(StandardCharsets.UTF_8).length;
    }
}
