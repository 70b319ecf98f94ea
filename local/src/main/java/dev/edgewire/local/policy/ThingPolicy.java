package dev.edgewire.local.policy;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import java.util.List;

/**
 * What one thing may do, as the IoT policy deployed by infra grants it: connect only under its own
 * name, publish to its telemetry topic and the shared inbound topic, subscribe to and receive its
 * commands topic and the shared outbound topic. Read from {@link Topology.Topics}, never restated.
 *
 * <p>As in IoT Core, a subscription is allowed only for the exact topic filters the policy names:
 * a wildcard filter such as {@code devices/#} is refused even though it would cover allowed topics.
 * A name that is not a thing name ({@link Outputs#THING_NAME_PATTERN}), such as the observer's
 * ({@link ObserverPolicy}), is allowed nothing here.
 */
public final class ThingPolicy {

    private ThingPolicy() {
    }

    /** A thing connects with its own name as client id. */
    public static boolean mayConnect(String thingName, String clientId) {
        return isThingName(thingName) && thingName.equals(clientId);
    }

    public static boolean mayPublish(String thingName, String topic) {
        return allowed(Topology.Topics.DEVICE_PUBLISH, thingName).contains(topic);
    }

    public static boolean maySubscribe(String thingName, String topicFilter) {
        return allowed(Topology.Topics.DEVICE_SUBSCRIBE, thingName).contains(topicFilter);
    }

    /** Topics the thing may publish to, filled in for that thing. */
    public static List<String> publishTopics(String thingName) {
        return allowed(Topology.Topics.DEVICE_PUBLISH, thingName);
    }

    /** Topic filters the thing may subscribe to, filled in for that thing. */
    public static List<String> subscribeFilters(String thingName) {
        return allowed(Topology.Topics.DEVICE_SUBSCRIBE, thingName);
    }

    private static boolean isThingName(String name) {
        return name != null && Outputs.THING_NAME_PATTERN.matcher(name).matches();
    }

    private static List<String> allowed(List<String> templates, String thingName) {
        if (!isThingName(thingName)) {
            return List.of();
        }
        return templates.stream().map(t -> Topology.Topics.forThing(t, thingName)).toList();
    }
}
