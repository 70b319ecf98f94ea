package dev.edgewire.message;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.contract.Topology.ConnectionTable;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads the body of a {@code subscribe} frame: {@code {"action":"subscribe","devices":["thing-1",...]}}
 * for those devices' readings, {@code "devices":[]} for none (messages only), and
 * {@code "devices":"all"} or no {@code devices} for every device, the default. Never throws: every
 * problem is a {@link Rejected} whose detail the sender can act on.
 */
public final class SubscribeParser {

    /** The value of {@code devices} that asks for every device. */
    public static final String ALL = "all";
    private static final String EXAMPLE = "{\"action\":\"subscribe\",\"devices\":[\"thing-1\"]}";

    /** What a parse gives: a choice to store, or a reason to refuse it. */
    public sealed interface Result permits Subscribe, Rejected {
    }

    /** A valid choice; {@code devices} is {@code null} for every device. */
    public record Subscribe(Set<String> devices) implements Result {
        public Subscribe {
            devices = devices == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(devices));
        }
    }

    /** Why the body was refused, worded for the sender. */
    public record Rejected(String detail) implements Result {
    }

    public Result parse(String body) {
        Bodies.JsonObject parsed = Bodies.object(body, EXAMPLE);
        if (parsed.problem() != null) {
            return new Rejected(parsed.problem());
        }
        JsonNode devices = parsed.object().get("devices");
        if (devices == null || devices.isNull() || (devices.isTextual() && ALL.equals(devices.textValue()))) {
            return new Subscribe(null);
        }
        if (!devices.isArray()) {
            return new Rejected("\"devices\" must be a list of thing names, or \"all\"; send for example " + EXAMPLE + ".");
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode device : devices) {
            if (!device.isTextual() || !DevicePublisher.THING_NAME.matcher(device.textValue()).matches()) {
                return new Rejected("Each of \"devices\" must be a thing name: 1 to 128 of a-z, A-Z, 0-9, ':', '_' and '-'.");
            }
            names.add(device.textValue());
        }
        if (names.size() > ConnectionTable.MAX_SUBSCRIBED_DEVICES) {
            return new Rejected("\"devices\" names " + names.size() + " devices; the limit is "
                    + ConnectionTable.MAX_SUBSCRIBED_DEVICES + ". Send \"all\" for every device.");
        }
        return new Subscribe(names);
    }
}
