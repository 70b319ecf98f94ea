package dev.edgewire.systemtests.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * Readings of the design's dummy data set, each with a {@code probe} field of its own so that the suite
 * recognises its readings among whatever else a deployed stack carries.
 */
public final class Readings {

    private Readings() {
    }

    public static String newProbe() {
        return "contract-" + UUID.randomUUID();
    }

    public static ObjectNode reading(String deviceId, long seq, String probe) {
        return Watcher.JSON.createObjectNode()
                .put("deviceId", deviceId)
                .put("seq", seq)
                .put("ts", Instant.now().toString())
                .put("temperature", 22.4)
                .put("humidity", 41.2)
                .put("pressure", 1012.8)
                .put("battery", 0.93)
                .put("probe", probe);
    }

    /** Whether {@code envelope} is a telemetry envelope carrying the reading with this probe. */
    public static boolean carries(JsonNode envelope, String probe) {
        return "telemetry".equals(envelope.path("type").asText()) && probe.equals(envelope.path("reading").path("probe").asText());
    }
}
