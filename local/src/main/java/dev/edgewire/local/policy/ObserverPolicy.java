package dev.edgewire.local.policy;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import java.util.List;
import java.util.stream.Stream;

/**
 * What local mode's observer may do: the local stand-in for AWS IoT Core's MQTT test client in the
 * console, a principal whose IAM permissions allow {@code iot:Subscribe} and {@code iot:Receive} on
 * every device's topics and nothing else. It connects only under {@link #CLIENT_ID} with the
 * certificate issued for that name, subscribes to and receives every topic a thing may publish to or
 * receive on, with the thing name as a single-level wildcard ({@code devices/+/telemetry},
 * {@code devices/+/commands}, and the shared topics), and publishes nothing.
 *
 * <p>As in IoT Core (see {@link ThingPolicy}), a subscription is allowed only for the exact filters
 * named: {@code devices/#} or one device's {@code devices/thing-1/telemetry} are refused.
 */
public final class ObserverPolicy {

    /**
     * The observer's client id and the common name of its certificate. The {@code .} is not allowed in
     * a thing name ({@link Outputs#THING_NAME_PATTERN}), so no thing can be given this name, on AWS or
     * locally, and a thing's certificate never names the observer.
     */
    public static final String CLIENT_ID = "edgewire.observer";

    /** MQTT's single-level wildcard, which stands for every thing name in the observer's filters. */
    static final String ANY_THING = "+";

    private static final List<String> SUBSCRIBE_FILTERS = Stream.concat(
                    Topology.Topics.DEVICE_PUBLISH.stream(), Topology.Topics.DEVICE_SUBSCRIBE.stream())
            .map(template -> Topology.Topics.forThing(template, ANY_THING))
            .distinct()
            .toList();

    private ObserverPolicy() {
    }

    /** Whether a certificate's common name is the observer's. */
    public static boolean isObserver(String commonName) {
        return CLIENT_ID.equals(commonName);
    }

    /** The observer connects with its own certificate and its own client id, nothing else. */
    public static boolean mayConnect(String commonName, String clientId) {
        return isObserver(commonName) && CLIENT_ID.equals(clientId);
    }

    /** Never: the observer watches, it does not speak for a device nor for the cloud. */
    public static boolean mayPublish(String topic) {
        return false;
    }

    public static boolean maySubscribe(String topicFilter) {
        return SUBSCRIBE_FILTERS.contains(topicFilter);
    }

    /** The exact topic filters the observer may subscribe to. */
    public static List<String> subscribeFilters() {
        return SUBSCRIBE_FILTERS;
    }
}
