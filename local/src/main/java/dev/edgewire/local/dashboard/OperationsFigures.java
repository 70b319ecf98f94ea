package dev.edgewire.local.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Metrics;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations panel's figures, read from the metrics documents the functions write (CloudWatch's
 * embedded metric format, the same documents that reach CloudWatch on AWS): each document is filed
 * under the second of its own timestamp, as CloudWatch files it, and each metric is read as the CDK
 * alarms read it: counts summed, {@value Metrics#FAN_OUT_LAG} and {@value Metrics#CONNECTIONS} as their
 * maximum. Nothing here counts anything itself.
 *
 * <p>Keeps {@value #KEEP_SECONDS} seconds; safe for the functions' threads and the page's requests at once.
 */
public final class OperationsFigures {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsFigures.class);
    /** Read as a maximum, not a sum (see {@link Metrics}). */
    static final Set<String> MAXIMA = Set.of(Metrics.FAN_OUT_LAG, Metrics.CONNECTIONS);
    /** Seconds the rates average over: complete seconds before the current one. */
    public static final int WINDOW_SECONDS = 5;
    static final int KEEP_SECONDS = 120;

    private final ObjectMapper mapper = new ObjectMapper();
    private final Clock clock;
    private final String stage;
    /** Epoch second -> metric -> its sum or maximum in that second. */
    private final NavigableMap<Long, Map<String, Double>> seconds = new TreeMap<>();
    private final Map<String, Double> totals = new HashMap<>();

    public OperationsFigures(Clock clock, String stage) {
        this.clock = clock;
        this.stage = stage;
    }

    /** One metrics document as a function wrote it; anything else is logged and ignored. */
    public void accept(String document) {
        JsonNode root;
        try {
            root = mapper.readTree(document);
        } catch (IOException e) {
            LOG.warn("ignored a metrics document that is not JSON: {}", e.getMessage());
            return;
        }
        JsonNode aws = root == null ? null : root.get("_aws");
        if (aws == null || !aws.path("Timestamp").canConvertToLong()) {
            LOG.warn("ignored a metrics document without _aws.Timestamp");
            return;
        }
        long second = Math.floorDiv(aws.get("Timestamp").asLong(), 1000);
        synchronized (this) {
            Map<String, Double> bucket = seconds.computeIfAbsent(second, s -> new HashMap<>());
            for (JsonNode directive : aws.path("CloudWatchMetrics")) {
                for (JsonNode metric : directive.path("Metrics")) {
                    String name = metric.path("Name").asText();
                    for (double value : values(root.get(name))) {
                        boolean maximum = MAXIMA.contains(name);
                        bucket.merge(name, value, maximum ? Math::max : Double::sum);
                        totals.merge(name, value, maximum ? Math::max : Double::sum);
                    }
                }
            }
            seconds.headMap(clock.millis() / 1000 - KEEP_SECONDS).clear();
        }
    }

    /** A value is a number, or an array of numbers when one document holds several. */
    private static double[] values(JsonNode node) {
        if (node == null) {
            return new double[0];
        }
        if (node.isArray()) {
            double[] values = new double[node.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = node.get(i).asDouble();
            }
            return values;
        }
        return node.isNumber() ? new double[] {node.asDouble()} : new double[0];
    }

    /** {@code name} per second over the last {@link #WINDOW_SECONDS} complete seconds. */
    public synchronized double perSecond(String name) {
        long now = clock.millis() / 1000;
        double sum = 0;
        for (Map<String, Double> bucket : seconds.subMap(now - WINDOW_SECONDS, true, now, false).values()) {
            sum += bucket.getOrDefault(name, 0.0);
        }
        return sum / WINDOW_SECONDS;
    }

    /** The largest {@code name} over the window and the current second, or {@code null} if none was written. */
    public synchronized Double maximum(String name) {
        long now = clock.millis() / 1000;
        Double max = null;
        for (Map<String, Double> bucket : seconds.subMap(now - WINDOW_SECONDS, true, now, true).values()) {
            Double value = bucket.get(name);
            if (value != null && (max == null || value > max)) {
                max = value;
            }
        }
        return max;
    }

    /** {@code name} in the latest second that has it (any age), or {@code null}. */
    public synchronized Double latest(String name) {
        for (Map<String, Double> bucket : seconds.descendingMap().values()) {
            Double value = bucket.get(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** A count summed since local mode started (for a maximum: the largest since then). */
    public synchronized double total(String name) {
        return totals.getOrDefault(name, 0.0);
    }

    /** What {@code /operations.json} answers: the panel's figures and the totals of every metric. */
    public synchronized ObjectNode toJson() {
        ObjectNode json = mapper.createObjectNode();
        json.put("stage", stage);
        json.put("windowSeconds", WINDOW_SECONDS);
        json.put("readingsInPerSecond", perSecond(Metrics.READINGS_IN));
        json.put("readingsDeliveredPerSecond", perSecond(Metrics.READINGS_DELIVERED));
        json.put("framesDeliveredPerSecond", perSecond(Metrics.FRAMES_DELIVERED));
        Double lag = maximum(Metrics.FAN_OUT_LAG);
        if (lag == null) {
            json.putNull("fanOutLagMs");
        } else {
            json.put("fanOutLagMs", lag.longValue());
        }
        Double connections = latest(Metrics.CONNECTIONS);
        if (connections == null) {
            json.putNull("connections");
        } else {
            json.put("connections", connections.longValue());
        }
        json.put("postsGone", (long) total(Metrics.POSTS_GONE));
        json.put("postsFailed", (long) total(Metrics.POSTS_FAILED));
        ObjectNode all = json.putObject("totals");
        new TreeMap<>(totals).forEach((name, value) -> all.put(name, value));
        return json;
    }
}
