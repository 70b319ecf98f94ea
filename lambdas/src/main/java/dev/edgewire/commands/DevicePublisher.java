package dev.edgewire.commands;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology.Topics;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;

/** Publishes to devices through the IoT Data Plane, at QoS 1. */
public final class DevicePublisher {

    /** AWS IoT thing names: 1 to 128 of these characters. */
    public static final Pattern THING_NAME = Outputs.THING_NAME_PATTERN;

    private final IotDataPlaneClient iotData;
    private final String outboundTopic;
    private final String commandTopicTemplate;

    /**
     * @param commandTopicTemplate a topic with {@value Topics#THING_PLACEHOLDER} where the thing name goes
     */
    public DevicePublisher(IotDataPlaneClient iotData, String outboundTopic, String commandTopicTemplate) {
        this.iotData = Objects.requireNonNull(iotData, "iotData");
        this.outboundTopic = Objects.requireNonNull(outboundTopic, "outboundTopic");
        this.commandTopicTemplate = Objects.requireNonNull(commandTopicTemplate, "commandTopicTemplate");
        if (!commandTopicTemplate.contains(Topics.THING_PLACEHOLDER)) {
            throw new IllegalArgumentException("commandTopicTemplate has no " + Topics.THING_PLACEHOLDER + ": " + commandTopicTemplate);
        }
    }

    /** Publishes to every device, on the shared outbound topic. Returns the topic. */
    public String publishToAll(String payload) {
        return publish(outboundTopic, payload);
    }

    /** Publishes to one device, on its commands topic. Returns the topic. */
    public String publishTo(String thingName, String payload) {
        if (thingName == null || !THING_NAME.matcher(thingName).matches()) {
            // A '+', '#' or '/' here would widen or redirect the topic.
            throw new IllegalArgumentException("not a thing name: " + thingName);
        }
        return publish(Topics.forThing(commandTopicTemplate, thingName), payload);
    }

    private String publish(String topic, String payload) {
        iotData.publish(PublishRequest.builder()
                .topic(topic)
                .qos(1)
                .payload(SdkBytes.fromUtf8String(payload))
                .build());
        return topic;
    }
}
