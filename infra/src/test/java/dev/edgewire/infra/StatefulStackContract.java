package dev.edgewire.infra;

import static dev.edgewire.infra.TemplateFacts.arn;
import static dev.edgewire.infra.TemplateFacts.getAtt;
import static dev.edgewire.infra.TemplateFacts.logicalIdOf;
import static dev.edgewire.infra.TemplateFacts.ref;
import static org.assertj.core.api.Assertions.assertThat;

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

    abstract Template template();

    abstract String thingName();

    abstract String certificateSigningRequest();

    @Test
    void stack_holdsExactlyTheStatefulResources() {
        assertThat(TemplateFacts.resourceCounts(template())).isEqualTo(Map.of(
                "AWS::DynamoDB::Table", 1,
                "AWS::IoT::Thing", 1,
                "AWS::IoT::Certificate", 1,
                "AWS::IoT::Policy", 1,
                "AWS::IoT::PolicyPrincipalAttachment", 1,
                "AWS::IoT::ThingPrincipalAttachment", 1,
                "AWS::SecretsManager::Secret", 1));
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
    void thing_isNamedFromContext() {
        template().hasResourceProperties("AWS::IoT::Thing", Match.objectEquals(Map.of("ThingName", thingName())));
    }

    @Test
    void certificate_isIssuedFromTheDevicesCsr_andActive() {
        template().hasResourceProperties("AWS::IoT::Certificate", Match.objectEquals(Map.of(
                "CertificateSigningRequest", certificateSigningRequest(),
                "Status", "ACTIVE")));
    }

    @Test
    void certificate_isAttachedToTheThingAndToThePolicy() {
        String certificate = logicalIdOf(template(), "AWS::IoT::Certificate", Map.of());
        String thing = logicalIdOf(template(), "AWS::IoT::Thing", Map.of());
        String policy = logicalIdOf(template(), "AWS::IoT::Policy", Map.of());

        template().hasResourceProperties("AWS::IoT::ThingPrincipalAttachment", Match.objectEquals(Map.of(
                "ThingName", ref(thing),
                "Principal", getAtt(certificate, "Arn"))));
        template().hasResourceProperties("AWS::IoT::PolicyPrincipalAttachment", Match.objectEquals(Map.of(
                "PolicyName", ref(policy),
                "Principal", getAtt(certificate, "Arn"))));
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
    void outputs_useTheDesignKeys() {
        String thing = logicalIdOf(template(), "AWS::IoT::Thing", Map.of());
        String certificate = logicalIdOf(template(), "AWS::IoT::Certificate", Map.of());
        String table = logicalIdOf(template(), "AWS::DynamoDB::Table", Map.of());
        String secret = logicalIdOf(template(), "AWS::SecretsManager::Secret", Map.of());

        template().hasOutput("ThingName", Map.of("Value", ref(thing)));
        template().hasOutput("CertificateId", Map.of("Value", ref(certificate)));
        template().hasOutput("TableName", Map.of("Value", ref(table)));
        template().hasOutput("TokenSecretArn", Map.of("Value", ref(secret)));
    }
}
