package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iot.CfnCertificate;
import software.amazon.awscdk.services.iot.CfnPolicy;
import software.amazon.awscdk.services.iot.CfnPolicyPrincipalAttachment;
import software.amazon.awscdk.services.iot.CfnThing;
import software.amazon.awscdk.services.iot.CfnThingPrincipalAttachment;
import software.constructs.Construct;

/**
 * One device's identity in AWS IoT: the thing, its X.509 certificate issued from the device's
 * own CSR (the private key never leaves the device), and the IoT policy attached to that
 * certificate.
 *
 * <p>The policy grants exactly the topics of {@link Topology.Topics#DEVICE_PUBLISH} and
 * {@link Topology.Topics#DEVICE_SUBSCRIBE}, for the device's own thing name only:
 * <ul>
 *   <li>MQTT statements use {@code ${iot:Connection.Thing.ThingName}} and require
 *   {@code iot:Connection.Thing.IsAttached}: the client id must be the thing name and the
 *   certificate must be attached to that thing.</li>
 *   <li>HTTPS publish has no client id, so thing variables do not resolve there; its statement
 *   uses {@code ${iot:Certificate.Subject.CommonName}}, which is the thing name because the CSR's
 *   common name is (checked in {@link DeploymentSettings}).</li>
 * </ul>
 */
public final class DeviceIdentity extends Construct {

    /** Thing name as MQTT connections see it. */
    static final String MQTT_THING = "${iot:Connection.Thing.ThingName}";
    /** Thing name as any TLS connection with the certificate sees it (HTTPS included). */
    static final String CERTIFICATE_THING = "${iot:Certificate.Subject.CommonName}";
    private static final Map<String, Object> THING_IS_ATTACHED =
            Map.of("Bool", Map.of("iot:Connection.Thing.IsAttached", "true"));

    /**
     * @param thingName the thing's name
     * @param certificateSigningRequest the device's CSR, PEM, with the thing name as common name
     */
    public record Props(String thingName, String certificateSigningRequest) {
    }

    private final CfnThing thing;
    private final CfnCertificate certificate;
    private final CfnPolicy policy;

    public DeviceIdentity(Construct scope, String id, Props props) {
        super(scope, id);
        thing = CfnThing.Builder.create(this, "Thing").thingName(props.thingName()).build();
        certificate = CfnCertificate.Builder.create(this, "Certificate")
                .certificateSigningRequest(props.certificateSigningRequest())
                .status("ACTIVE")
                .build();
        policy = CfnPolicy.Builder.create(this, "Policy")
                .policyDocument(policyDocument())
                .build();
        CfnPolicyPrincipalAttachment.Builder
                .create(this, "PolicyAttachment")
                .policyName(policy.getRef())
                .principal(certificate.getAttrArn())
                .build();
        CfnThingPrincipalAttachment.Builder
                .create(this, "ThingAttachment")
                .thingName(thing.getRef())
                .principal(certificate.getAttrArn())
                .build();
    }

    /** The thing's name. */
    public String thingName() {
        return thing.getRef();
    }

    /** The certificate id (what {@code aws iot describe-certificate --certificate-id} takes). */
    public String certificateId() {
        return certificate.getRef();
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
