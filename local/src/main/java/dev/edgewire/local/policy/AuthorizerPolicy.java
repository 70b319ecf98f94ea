package dev.edgewire.local.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How API Gateway reads a Lambda authorizer's answer: the IAM policy in {@code policyDocument} allows
 * the request when a statement covering {@code execute-api:Invoke} on the request's method ARN allows it
 * and no covering statement denies it. {@code Action} and {@code Resource} may be one value or a list;
 * {@code *} in a resource matches any run of characters.
 */
public final class AuthorizerPolicy {

    private AuthorizerPolicy() {
    }

    /**
     * The authorizer context the integration gets ({@code context}'s values as text, and
     * {@code principalId}) when the policy allows {@code methodArn}; empty when it does not.
     *
     * @param response the authorizer's response in its JSON form, whatever type the handler returned
     */
    public static Optional<Map<String, Object>> allowedContext(JsonNode response, String methodArn) {
        JsonNode statements = response.path("policyDocument").path("Statement");
        boolean allowed = false;
        for (JsonNode statement : iterable(statements)) {
            if (!covers(statement, methodArn)) {
                continue;
            }
            String effect = statement.path("Effect").asText();
            if (effect.equalsIgnoreCase("Deny")) {
                return Optional.empty();
            }
            allowed |= effect.equalsIgnoreCase("Allow");
        }
        if (!allowed) {
            return Optional.empty();
        }
        Map<String, Object> context = new LinkedHashMap<>();
        if (response.path("context").isObject()) {
            response.path("context").fields().forEachRemaining(e -> context.put(e.getKey(), e.getValue().asText()));
        }
        if (response.hasNonNull("principalId")) {
            context.put("principalId", response.get("principalId").asText());
        }
        return Optional.of(context);
    }

    private static boolean covers(JsonNode statement, String methodArn) {
        boolean action = false;
        for (JsonNode a : iterable(statement.path("Action"))) {
            action |= a.asText().equals("execute-api:Invoke") || a.asText().equals("*");
        }
        boolean resource = false;
        for (JsonNode r : iterable(statement.path("Resource"))) {
            resource |= wildcardMatches(r.asText(), methodArn);
        }
        return action && resource;
    }

    /** A JSON value that may be one item or an array of them, as IAM policy fields are. */
    private static Iterable<JsonNode> iterable(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        return node.isArray() ? node : List.of(node);
    }

    private static boolean wildcardMatches(String pattern, String value) {
        String regex = ("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q");
        return value.matches(regex);
    }
}
