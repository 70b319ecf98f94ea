package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iot.CfnPolicy;
import software.constructs.Construct;

/**
 * The devices of one deployment: a {@link DeviceIdentity} per device, each with its own thing and
 * certificate, and the one IoT policy every certificate is attached to.
 *
 * <p>One policy serves every device because it names no device: it grants exactly the topics of
 * {@link Topology.Topics#DEVICE_PUBLISH} and {@link Topology.Topics#DEVICE_SUBSCRIBE} for the
 * connecting device's own thing name only:
 * <ul>
 *   <li>MQTT statements use {@code ${iot:Connection.Thing.ThingName}} and require
 *   {@code iot:Connection.Thing.IsAttached}: the client id must be the thing name and the
 *   certificate must be attached to that thing.</li>
 *   <li>HTTPS publish has no client id, so thing variables do not resolve there; its statement
 *   uses {@code ${iot:Certificate.Subject.CommonName}}, which is the thing name because each CSR's
 *   common name is (checked in {@link DeploymentSettings}).</li>
 * </ul>
 */
public final class DeviceFleet extends Construct {

    /** Thing name as MQTT connections see it. */
    static final String MQTT_THING = "${iot:Connection.Thing.ThingName}";
    /** Thing name as any TLS connection with the certificate sees it (HTTPS included). */
    static final String CERTIFICATE_THING = "${iot:Certificate.Subject.CommonName}";
    private static final Map<String, Object> THING_IS_ATTACHED =
            Map.of("Bool", Map.of("iot:Connection.Thing.IsAttached", "true"));

    /** @param devices the devices, in the order the outputs list them */
    public record Props(List<DeviceCsr> devices) {
        public Props {
            devices = List.copyOf(devices);
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("a fleet has at least one device");
            }
        }
    }

    private final CfnPolicy policy;
    private final List<DeviceIdentity> identities = new ArrayList<>();

    public DeviceFleet(Construct scope, String id, Props props) {
        super(scope, id);
        policy = CfnPolicy.Builder.create(this, "Policy")
                .policyDocument(policyDocument())
                .build();
        for (DeviceCsr device : props.devices()) {
            // The thing name as construct id: adding or removing a device leaves the others' logical ids alone.
            identities.add(new DeviceIdentity(this, device.thingName(),
                    new DeviceIdentity.Props(device.thingName(), device.certificateSigningRequest(), policy)));
        }
    }

    /** Each device's identity, in the order of {@link Props#devices()}. */
    public List<DeviceIdentity> identities() {
        return List.copyOf(identities);
    }

    private Map<String, Object> policyDocument() {
        List<String> mqttPublish = topicArns("topic", Topology.Topics.DEVICE_PUBLISH, MQTT_THING);
        List<String> mqttSubscribe = topicArns("topicfilter", Topology.Topics.DEVICE_SUBSCRIBE, MQTT_THING);
        List<String> mqttReceive = topicArns("topic", Topology.Topics.DEVICE_SUBSCRIBE, MQTT_THING);
        List<String> httpsPublish = topicArns("topic", Topology.Topics.DEVICE_PUBLISH, CERTIFICATE_THING);
        return Map.of(
                "Version", "2012-10-17",
                "Statement", List.of(
                        statement("MqttConnectAsOwnThing", "iot:Connect", List.of(iotArn("client", MQTT_THING)), true),
                        statement("MqttPublishOwnTopics", "iot:Publish", mqttPublish, true),
                        statement("MqttSubscribeOwnTopics", "iot:Subscribe", mqttSubscribe, true),
                        statement("MqttReceiveOwnTopics", "iot:Receive", mqttReceive, true),
                        statement("HttpsPublishOwnTopics", "iot:Publish", httpsPublish, false)));
    }

    private static Map<String, Object> statement(String sid, String action, List<String> resources,
                                                 boolean thingMustBeAttached) {
        return thingMustBeAttached
                ? Map.of("Sid", sid, "Effect", "Allow", "Action", action, "Resource", resources,
                        "Condition", THING_IS_ATTACHED)
                : Map.of("Sid", sid, "Effect", "Allow", "Action", action, "Resource", resources);
    }

    private List<String> topicArns(String resourceType, List<String> templates, String thing) {
        return templates.stream()
                .map(template -> iotArn(resourceType, Topology.Topics.forThing(template, thing)))
                .toList();
    }

    private String iotArn(String resourceType, String name) {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("iot")
                .resource(resourceType)
                .resourceName(name)
                .build());
    }
}
