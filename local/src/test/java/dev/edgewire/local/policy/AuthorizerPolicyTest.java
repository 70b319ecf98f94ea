package dev.edgewire.local.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthorizerPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONNECT = "arn:aws:execute-api:local:000000000000:local/demo/$connect";

    @Test
    void anAllowOfTheMethod_givesTheContextAsText_andThePrincipal() {
        // The type TokenAuthorizer returns, in the JSON form API Gateway reads.
        IamPolicyResponseV1 response = policy("alice", IamPolicyResponseV1.ALLOW, CONNECT,
                Map.of("subject", "alice", "tier", 2));

        assertThat(AuthorizerPolicy.allowedContext(JSON.valueToTree(response), CONNECT))
                .contains(Map.of("subject", "alice", "tier", "2", "principalId", "alice"));
    }

    @Test
    void aDeny_isRefused_evenBesideAnAllowOfTheSameMethod() throws Exception {
        assertThat(AuthorizerPolicy.allowedContext(JSON.valueToTree(
                policy("anonymous", IamPolicyResponseV1.DENY, CONNECT, null)), CONNECT)).isEmpty();
        assertThat(AuthorizerPolicy.allowedContext(JSON.readTree("""
                {"principalId":"alice","policyDocument":{"Version":"2012-10-17","Statement":[
                  {"Action":"execute-api:Invoke","Effect":"Allow","Resource":"%1$s"},
                  {"Action":"execute-api:Invoke","Effect":"Deny","Resource":"%1$s"}]}}
                """.formatted(CONNECT)), CONNECT)).isEmpty();
    }

    @Test
    void anAllowOfAnotherMethodOrAction_isRefused() throws Exception {
        assertThat(AuthorizerPolicy.allowedContext(statement("\"execute-api:Invoke\"",
                "\"arn:aws:execute-api:local:000000000000:local/other/$connect\""), CONNECT)).isEmpty();
        assertThat(AuthorizerPolicy.allowedContext(statement("\"execute-api:ManageConnections\"",
                "\"" + CONNECT + "\""), CONNECT)).isEmpty();
    }

    @Test
    void listsAndWildcards_coverTheMethod_asInIam() throws Exception {
        assertThat(AuthorizerPolicy.allowedContext(statement(
                "[\"execute-api:ManageConnections\",\"execute-api:Invoke\"]",
                "[\"arn:aws:execute-api:local:000000000000:local/other/*\",\"arn:aws:execute-api:*:local/demo/*\"]"),
                CONNECT)).contains(Map.of("principalId", "alice"));
        assertThat(AuthorizerPolicy.allowedContext(statement("\"*\"", "\"*\""), CONNECT))
                .contains(Map.of("principalId", "alice"));
    }

    @Test
    void aResourceIsMatchedAsText_notAsARegularExpression() throws Exception {
        assertThat(AuthorizerPolicy.allowedContext(statement("\"execute-api:Invoke\"",
                "\"arn:aws:execute-api:local:000000000000:local/demo/.connect\""), CONNECT)).isEmpty();
    }

    @Test
    void aResponseWithoutAnAllowingStatement_isRefused() throws Exception {
        assertThat(AuthorizerPolicy.allowedContext(JSON.readTree("{}"), CONNECT)).isEmpty();
        assertThat(AuthorizerPolicy.allowedContext(JSON.readTree(
                "{\"principalId\":\"alice\",\"policyDocument\":{\"Statement\":[]}}"), CONNECT)).isEmpty();
    }

    private static JsonNode statement(String action, String resource) throws Exception {
        return JSON.readTree("""
                {"principalId":"alice","policyDocument":{"Version":"2012-10-17","Statement":[
                  {"Action":%s,"Effect":"Allow","Resource":%s}]}}
                """.formatted(action, resource));
    }

    private static IamPolicyResponseV1 policy(String principal, String effect, String resource,
                                              Map<String, Object> context) {
        return IamPolicyResponseV1.builder()
                .withPrincipalId(principal)
                .withPolicyDocument(IamPolicyResponseV1.PolicyDocument.builder()
                        .withVersion(IamPolicyResponseV1.VERSION_2012_10_17)
                        .withStatement(List.of(IamPolicyResponseV1.Statement.builder()
                                .withAction(IamPolicyResponseV1.EXECUTE_API_INVOKE)
                                .withEffect(effect)
                                .withResource(List.of(resource))
                                .build()))
                        .build())
                .withContext(context)
                .build();
    }
}
