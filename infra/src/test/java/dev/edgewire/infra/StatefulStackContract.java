package dev.edgewire.infra;

import static dev.edgewire.infra.TemplateFacts.arn;
import static dev.edgewire.infra.TemplateFacts.getAtt;
import static dev.edgewire.infra.TemplateFacts.logicalIdOf;
import static dev.edgewire.infra.TemplateFacts.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * What the stateful stack's template must hold, however it was synthesised (in process by
 * {@link StatefulStackTest}, by the CDK CLI by {@link StatefulStackCliIT}).
 */
abstract class StatefulStackContract {

    private static final Map<String, Object> THING_IS_ATTACHED =
            Map.of("Bool", Map.of("iot:Connection.Thing.IsAttached", "true"));

    /** CloudFormation's limit of resources in one stack (cloudformation-limits.html, "Resources"). */
    private static final int RESOURCES_PER_STACK = 500;

    abstract Template template();

    /** The things of the deployment, in the order the outputs list them. */
    abstract List<String> thingNames();

    abstract String certificateSigningRequest(String thingName);

    @Test
    void stack_holdsExactlyTheStatefulResources_fourPerThingAndOnePolicy() {
        int things = thingNames().size();
        assertThat(TemplateFacts.resourceCounts(template())).isEqualTo(Map.of(
                "AWS::DynamoDB::Table", 1,
                "AWS::IoT::Thing", things,
                "AWS::IoT::Certificate", things,
                "AWS::IoT::Policy", 1,
                "AWS::IoT::PolicyPrincipalAttachment", things,
                "AWS::IoT::ThingPrincipalAttachment", things,
                "AWS::SecretsManager::Secret", 1));
    }

    @Test
    void theLargestFleetAllowed_isTheLargestThatFitsInOneStack() {
        Map<String, Integer> counts = TemplateFacts.resourceCounts(template());
        int things = thingNames().size();
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int perThing = (counts.get("AWS::IoT::Thing") + counts.get("AWS::IoT::Certificate")
                + counts.get("AWS::IoT::PolicyPrincipalAttachment") + counts.get("AWS::IoT::ThingPrincipalAttachment"))
                / things;
        // The CLI adds its AWS::CDK::Metadata resource, which counts against the limit too.
        int shared = total - perThing * things + 1;

        assertThat(shared + perThing * Topology.MAX_THINGS_PER_DEPLOYMENT).isLessThanOrEqualTo(RESOURCES_PER_STACK);
        assertThat(shared + perThing * (Topology.MAX_THINGS_PER_DEPLOYMENT + 1)).isGreaterThan(RESOURCES_PER_STACK);
    }

    @Test
    void connectionTable_isOnDemandWithTtlAndPointInTimeRecovery_andDeletedWithTheStack() {
        template().hasResource("AWS::DynamoDB::Table", Map.of(
                "Properties", Map.of(
                        "KeySchema", List.of(Map.of("AttributeName", ConnectionTable.PARTITION_KEY, "KeyType", "HASH")),
                        "AttributeDefinitions", List.of(
                                Map.of("AttributeName", ConnectionTable.PARTITION_KEY, "AttributeType", "S")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "TimeToLiveSpecification", Map.of("AttributeName", ConnectionTable.TTL_ATTRIBUTE, "Enabled", true),
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                        "SSESpecification", Map.of("SSEEnabled", true)),
                "DeletionPolicy", "Delete",
                "UpdateReplacePolicy", "Delete"));
    }

    @Test
    void things_areNamedByTheirCsrs_oneEach() {
        Map<String, Map<String, Object>> things = template().findResources("AWS::IoT::Thing");

        assertThat(things.values()).map(thing -> thing.get("Properties"))
                .containsExactlyInAnyOrderElementsOf(thingNames().stream()
                        .map(name -> Map.<String, Object>of("ThingName", name)).toList());
    }

    @Test
    void certificates_areIssuedFromEachDevicesCsr_andActive() {
        Map<String, Map<String, Object>> certificates = template().findResources("AWS::IoT::Certificate");

        assertThat(certificates.values()).map(certificate -> certificate.get("Properties"))
                .containsExactlyInAnyOrderElementsOf(thingNames().stream()
                        .map(name -> Map.<String, Object>of(
                                "CertificateSigningRequest", certificateSigningRequest(name),
                                "Status", "ACTIVE"))
                        .toList());
    }

    @Test
    void eachCertificate_isAttachedToItsOwnThingOnly_andToThePolicy() {
        String policy = logicalIdOf(template(), "AWS::IoT::Policy", Map.of());
        List<Map<String, Object>> thingAttachments = new ArrayList<>();
        List<Map<String, Object>> policyAttachments = new ArrayList<>();
        for (String name : thingNames()) {
            String thing = logicalIdOf(template(), "AWS::IoT::Thing", Map.of("ThingName", name));
            String certificate = logicalIdOf(template(), "AWS::IoT::Certificate",
                    Map.of("CertificateSigningRequest", certificateSigningRequest(name)));
            thingAttachments.add(Map.of("ThingName", ref(thing), "Principal", getAtt(certificate, "Arn")));
            policyAttachments.add(Map.of("PolicyName", ref(policy), "Principal", getAtt(certificate, "Arn")));
        }

        assertThat(properties("AWS::IoT::ThingPrincipalAttachment")).containsExactlyInAnyOrderElementsOf(thingAttachments);
        assertThat(properties("AWS::IoT::PolicyPrincipalAttachment")).containsExactlyInAnyOrderElementsOf(policyAttachments);
    }

    @Test
    void iotPolicy_grantsOnlyTheThingsOwnTopics_mqttByThingName_httpsByCertificateCommonName() {
        String mqttThing = "${iot:Connection.Thing.ThingName}";
        String httpsThing = "${iot:Certificate.Subject.CommonName}";
        template().hasResourceProperties("AWS::IoT::Policy", Match.objectEquals(Map.of("PolicyDocument", Map.of(
                "Version", "2012-10-17",
                "Statement", List.of(
                        Map.of("Sid", "MqttConnectAsOwnThing", "Effect", "Allow", "Action", "iot:Connect",
                                "Resource", List.of(arn("iot", "client/" + mqttThing)),
                                "Condition", THING_IS_ATTACHED),
                        Map.of("Sid", "MqttPublishOwnTopics", "Effect", "Allow", "Action", "iot:Publish",
                                "Resource", List.of(
                                        arn("iot", "topic/devices/" + mqttThing + "/telemetry"),
                                        arn("iot", "topic/general/inbound")),
                                "Condition", THING_IS_ATTACHED),
                        Map.of("Sid", "MqttSubscribeOwnTopics", "Effect", "Allow", "Action", "iot:Subscribe",
                                "Resource", List.of(
                                        arn("iot", "topicfilter/devices/" + mqttThing + "/commands"),
                                        arn("iot", "topicfilter/general/outbound")),
                                "Condition", THING_IS_ATTACHED),
                        Map.of("Sid", "MqttReceiveOwnTopics", "Effect", "Allow", "Action", "iot:Receive",
                                "Resource", List.of(
                                        arn("iot", "topic/devices/" + mqttThing + "/commands"),
                                        arn("iot", "topic/general/outbound")),
                                "Condition", THING_IS_ATTACHED),
                        Map.of("Sid", "HttpsPublishOwnTopics", "Effect", "Allow", "Action", "iot:Publish",
                                "Resource", List.of(
                                        arn("iot", "topic/devices/" + httpsThing + "/telemetry"),
                                        arn("iot", "topic/general/inbound"))))))));
    }

    @Test
    void noPolicyStatement_hasAWildcardActionOrResource() {
        List<Map<String, Object>> statements = TemplateFacts.allPolicyStatements(template());

        assertThat(statements).isNotEmpty().allSatisfy(statement -> {
            assertThat(TemplateFacts.actions(statement)).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
            assertThat(TemplateFacts.resources(statement)).isNotEmpty().doesNotContain("*");
        });
    }

    @Test
    void tokenSecret_isA64CharacterRandomKey_deletedWithTheStack() {
        template().hasResource("AWS::SecretsManager::Secret", Map.of(
                "Properties", Map.of(
                        "GenerateSecretString", Match.objectEquals(Map.of("PasswordLength", 64, "ExcludePunctuation", true))),
                "DeletionPolicy", "Delete"));
    }

    @Test
    void outputs_nameTheFirstThing_andListEveryThingAndCertificate_inTheSameOrder() {
        List<Object> things = new ArrayList<>();
        List<Object> certificates = new ArrayList<>();
        for (String name : thingNames()) {
            things.add(ref(logicalIdOf(template(), "AWS::IoT::Thing", Map.of("ThingName", name))));
            certificates.add(ref(logicalIdOf(template(), "AWS::IoT::Certificate",
                    Map.of("CertificateSigningRequest", certificateSigningRequest(name)))));
        }
        String table = logicalIdOf(template(), "AWS::DynamoDB::Table", Map.of());
        String secret = logicalIdOf(template(), "AWS::SecretsManager::Secret", Map.of());

        template().hasOutput("ThingName", Map.of("Value", things.getFirst()));
        template().hasOutput("CertificateId", Map.of("Value", certificates.getFirst()));
        template().hasOutput("ThingNames", Map.of("Value", commaJoined(things)));
        template().hasOutput("CertificateIds", Map.of("Value", commaJoined(certificates)));
        template().hasOutput("TableName", Map.of("Value", ref(table)));
        template().hasOutput("TokenSecretArn", Map.of("Value", ref(secret)));
        // Besides the exports CDK adds for the stateless stack's references, these and no others.
        assertThat(template().findOutputs("*").keySet()).filteredOn(key -> !key.startsWith("ExportsOutput"))
                .containsExactlyInAnyOrder("ThingName", "CertificateId", "ThingNames", "CertificateIds", "TableName",
                        "TokenSecretArn");
    }

    private static Object commaJoined(List<Object> values) {
        return values.size() == 1 ? values.getFirst() : Map.of("Fn::Join", List.of(",", values));
    }

    @SuppressWarnings("unchecked")
    private List<Object> properties(String type) {
        return template().findResources(type).values().stream().map(r -> r.get("Properties")).toList();
    }
}
