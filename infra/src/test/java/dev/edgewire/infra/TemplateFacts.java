package dev.edgewire.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Small readers and CloudFormation shapes the stack tests share. */
final class TemplateFacts {

    /** Added by the CDK CLI (version reporting), not by the app. */
    static final String CDK_METADATA = "AWS::CDK::Metadata";

    private TemplateFacts() {
    }

    static Map<String, Object> ref(String logicalId) {
        return Map.of("Ref", logicalId);
    }

    static Map<String, Object> getAtt(String logicalId, String attribute) {
        return Map.of("Fn::GetAtt", List.of(logicalId, attribute));
    }

    /** {@code arn:${Partition}:service:${Region}:${AccountId}:rest} as CDK's formatArn writes it. */
    static Map<String, Object> arn(String service, Object... rest) {
        List<Object> parts = new ArrayList<>(List.of("arn:", ref("AWS::Partition"), ":" + service + ":",
                ref("AWS::Region"), ":", ref("AWS::AccountId")));
        if (rest.length == 1 && rest[0] instanceof String tail) {
            parts.add(":" + tail);
        } else {
            parts.add(":");
            parts.addAll(List.of(rest));
        }
        return Map.of("Fn::Join", List.of("", parts));
    }

    /** Resource type to count, without the CLI's metadata resource. */
    @SuppressWarnings("unchecked")
    static Map<String, Integer> resourceCounts(Template template) {
        Map<String, Object> resources = (Map<String, Object>) template.toJSON().get("Resources");
        Map<String, Integer> counts = new TreeMap<>();
        resources.values().forEach(resource -> {
            String type = (String) ((Map<String, Object>) resource).get("Type");
            if (!CDK_METADATA.equals(type)) {
                counts.merge(type, 1, Integer::sum);
            }
        });
        return counts;
    }

    /** The logical id of the one resource of {@code type} whose properties are like {@code properties}. */
    static String logicalIdOf(Template template, String type, Map<String, ?> properties) {
        Map<String, Map<String, Object>> found = template.findResources(type,
                Map.of("Properties", Match.objectLike(properties)));
        assertThat(found).as("%s like %s", type, properties).hasSize(1);
        return found.keySet().iterator().next();
    }

    /** Every statement of every IAM policy, role policy, queue policy and IoT policy in the template. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> allPolicyStatements(Template template) {
        List<Map<String, Object>> statements = new ArrayList<>();
        Map<String, Object> resources = (Map<String, Object>) template.toJSON().get("Resources");
        for (Object value : resources.values()) {
            Map<String, Object> resource = (Map<String, Object>) value;
            Map<String, Object> properties = (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
            List<Map<String, Object>> documents = new ArrayList<>();
            if (properties.get("PolicyDocument") instanceof Map<?, ?> document) {
                documents.add((Map<String, Object>) document);
            }
            if (properties.get("AssumeRolePolicyDocument") instanceof Map<?, ?> document) {
                documents.add((Map<String, Object>) document);
            }
            if (properties.get("Policies") instanceof List<?> inline) {
                inline.forEach(p -> documents.add((Map<String, Object>) ((Map<String, Object>) p).get("PolicyDocument")));
            }
            documents.forEach(d -> statements.addAll((List<Map<String, Object>>) d.get("Statement")));
        }
        return statements;
    }

    /** Every statement of the IAM policies attached to the role {@code roleRef} ({@code {"Ref": role}}). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> allPolicyStatements(Template template, Object roleRef) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Map<String, Object> policy : template.findResources("AWS::IAM::Policy").values()) {
            Map<String, Object> properties = (Map<String, Object>) policy.get("Properties");
            if (((List<Object>) properties.get("Roles")).contains(roleRef)) {
                statements.addAll((List<Map<String, Object>>) ((Map<String, Object>) properties.get("PolicyDocument"))
                        .get("Statement"));
            }
        }
        return statements;
    }

    /** Resources of a statement, whether written as one value or a list (empty for trust policies). */
    @SuppressWarnings("unchecked")
    static List<Object> resources(Map<String, Object> statement) {
        Object resource = statement.get("Resource");
        return resource == null ? List.of() : resource instanceof List<?> list ? (List<Object>) list : List.of(resource);
    }

    /** Actions of a statement, whether written as one string or a list. */
    @SuppressWarnings("unchecked")
    static List<String> actions(Map<String, Object> statement) {
        Object action = statement.get("Action");
        return action instanceof String single ? List.of(single) : (List<String>) action;
    }
}
