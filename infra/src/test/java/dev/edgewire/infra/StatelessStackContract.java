package dev.edgewire.infra;

import static dev.edgewire.infra.TemplateFacts.arn;
import static dev.edgewire.infra.TemplateFacts.getAtt;
import static dev.edgewire.infra.TemplateFacts.logicalIdOf;
import static dev.edgewire.infra.TemplateFacts.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Metrics;
import dev.edgewire.contract.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * What the stateless stack's template must hold, however it was synthesised (in process by
 * {@link StatelessStackTest}, by the CDK CLI by {@link StatelessStackCliIT}). Routes, rules,
 * handlers and environment names come from {@link Topology}, as the app's do.
 */
abstract class StatelessStackContract {

    static final List<Topology.Route> ROUTES = Topology.ROUTES;
    static final List<Topology.TopicRule> TOPIC_RULES = Topology.TOPIC_RULES;

    private static final String ALLOW = "Allow";
    private static final Object TABLE_ARN = Map.of("Fn::ImportValue",
            Match.stringLikeRegexp(EdgewireApp.STATEFUL_STACK + ":ExportsOutputFnGetAttConnectionsTable.*Arn.*"));
    private static final Object TABLE_NAME = Map.of("Fn::ImportValue",
            Match.stringLikeRegexp(EdgewireApp.STATEFUL_STACK + ":ExportsOutputRefConnectionsTable.*"));
    private static final Object SECRET_ARN = Map.of("Fn::ImportValue",
            Match.stringLikeRegexp(EdgewireApp.STATEFUL_STACK + ":ExportsOutputRefTokenKey.*"));

    /** Three failure queues, fan-out errors, throttles and lag, WebSocket execution errors, route errors, denials. */
    static final int ALARMS = 9;

    abstract Template template();

    abstract String stageName();

    // ----- the whole stack

    @Test
    void stack_holdsExactlyTheStatelessResources() {
        int handlers = Topology.Function.values().length;
        int rules = TOPIC_RULES.size();
        int asynchronous = asynchronouslyInvoked().size();
        // the readings queue and its dead letters, the rules' error action, the fan-out's on-failure destination
        int queues = 4;
        assertThat(TemplateFacts.resourceCounts(template())).isEqualTo(new TreeMap<>(Map.ofEntries(
                Map.entry("AWS::ApiGatewayV2::Api", 1),
                Map.entry("AWS::ApiGatewayV2::Stage", 1),
                Map.entry("AWS::ApiGatewayV2::Authorizer", 1),
                Map.entry("AWS::ApiGatewayV2::Route", ROUTES.size()),
                Map.entry("AWS::ApiGatewayV2::Integration", ROUTES.size()),
                Map.entry("AWS::ApiGateway::Account", 1),
                // handlers, the endpoint lookup's provider
                Map.entry("AWS::Lambda::Function", handlers + 1),
                Map.entry("AWS::Lambda::Version", handlers),
                Map.entry("AWS::Lambda::Alias", handlers),
                // the fan-out, whose continuations are asynchronous invocations
                Map.entry("AWS::Lambda::EventInvokeConfig", asynchronous),
                Map.entry("AWS::Lambda::EventSourceMapping", 1),
                // one per route, the authorizer; the rules send to a queue and invoke nothing
                Map.entry("AWS::Lambda::Permission", ROUTES.size() + 1),
                // handlers, access logs, the endpoint lookup's provider
                Map.entry("AWS::Logs::LogGroup", handlers + 2),
                // handlers, the provider, API Gateway's CloudWatch role, the rules' role, IoT's logging role
                Map.entry("AWS::IAM::Role", handlers + 4),
                // one per role with grants, the lookup's own policy, the fan-out's continuation,
                // each handler's tracing policy, the logging role's
                Map.entry("AWS::IAM::Policy", handlers + 4 + handlers + 1),
                Map.entry("Custom::AWS", 1),
                Map.entry("AWS::IoT::TopicRule", rules),
                Map.entry("AWS::IoT::Logging", 1),
                Map.entry("AWS::SQS::Queue", queues),
                Map.entry("AWS::SQS::QueuePolicy", queues),
                // no alarmEmail in the context: a topic without subscription
                Map.entry("AWS::SNS::Topic", 1),
                Map.entry("AWS::SNS::TopicPolicy", 1),
                Map.entry("AWS::CloudWatch::Alarm", ALARMS),
                Map.entry("AWS::CloudWatch::Dashboard", 1))));
    }

    @Test
    void noAllowStatement_hasAWildcardAction_andOnlyDescribeEndpointAndXRayHaveResourceStar() {
        List<Map<String, Object>> allows = TemplateFacts.allPolicyStatements(template()).stream()
                .filter(statement -> ALLOW.equals(statement.get("Effect")))
                .toList();

        assertThat(allows).isNotEmpty().allSatisfy(statement ->
                assertThat(TemplateFacts.actions(statement)).noneMatch(a -> a.equals("*") || a.endsWith(":*")));
        List<Map<String, Object>> expected = new ArrayList<>();
        expected.add(Map.of("Action", "iot:DescribeEndpoint", "Effect", ALLOW, "Resource", "*"));
        for (Topology.Function ignored : Topology.Function.values()) {
            expected.add(tracingStatement());
        }
        assertThat(allows.stream().filter(s -> TemplateFacts.resources(s).contains("*")).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyLogGroup_keepsLogsOneMonth_andIsDeletedWithTheStack() {
        Map<String, Map<String, Object>> logGroups = template().findResources("AWS::Logs::LogGroup");

        assertThat(logGroups).isNotEmpty().allSatisfy((id, logGroup) -> {
            assertThat(logGroup.get("Properties")).isEqualTo(Map.of("RetentionInDays", 30));
            assertThat(logGroup.get("DeletionPolicy")).isEqualTo("Delete");
        });
    }

    // ----- functions

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void function_runsItsHandlerOnJava21Arm64WithSnapStart_sizedAsDeclared(Topology.Function function) {
        template().hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", function.handler(),
                "Runtime", "java21",
                "Architectures", List.of(function.architecture().lambdaName()),
                "MemorySize", function.memoryMb(),
                "Timeout", function.timeoutSeconds(),
                "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
                "Role", getAtt(roleOf(function), "Arn"),
                "LoggingConfig", Map.of("LogGroup", ref(logGroupOf(function))))));
    }

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void function_getsTheVariablesItsNeedsName_andNoOther(Topology.Function function) {
        Map<String, Object> all = Map.of(
                Topology.Env.CONNECTIONS_TABLE, TABLE_NAME,
                Topology.Env.CALLBACK_URL, stageUrl("https://"),
                Topology.Env.IOT_DATA_ENDPOINT, getAtt(endpointLookup(), "endpointAddress"),
                Topology.Env.OUTBOUND_TOPIC, Topology.Topics.GENERAL_OUTBOUND,
                Topology.Env.COMMAND_TOPIC_TEMPLATE, Topology.Topics.COMMANDS_TEMPLATE,
                Topology.Env.TOKEN_SECRET_ARN, SECRET_ARN,
                Topology.Env.CONTINUATION_FUNCTION, ref(aliasOf(Topology.CONTINUATION_TARGET)),
                Topology.Env.READINGS_QUEUE_URL, ref(readingsQueue()));
        Map<String, Object> expected = new TreeMap<>();
        function.environment().forEach(name -> expected.put(name, all.get(name)));
        // every function: its metrics' one dimension and their namespace
        expected.put(Topology.Env.STAGE, stageName());
        expected.put(Topology.Env.POWERTOOLS_METRICS_NAMESPACE, Metrics.NAMESPACE);

        template().hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", function.handler(),
                "Environment", Match.objectEquals(Map.of("Variables", expected)))));
    }

    @Test
    void routeFunctions_endBeforeApiGatewaysIntegrationTimeout() {
        for (Topology.Route route : ROUTES) {
            assertThat(route.function().timeoutSeconds()).as(route.routeKey())
                    .isLessThanOrEqualTo(Topology.Function.ROUTE_TIMEOUT_LIMIT_SECONDS);
        }
        assertThat(Topology.Function.AUTHORIZER.timeoutSeconds())
                .isLessThanOrEqualTo(Topology.Function.ROUTE_TIMEOUT_LIMIT_SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void function_isInvokedThroughTheLiveAliasOfItsPublishedVersion(Topology.Function function) {
        String functionId = functionOf(function);
        String version = logicalIdOf(template(), "AWS::Lambda::Version", Map.of("FunctionName", ref(functionId)));

        template().hasResourceProperties("AWS::Lambda::Alias", Match.objectEquals(Map.of(
                "FunctionName", ref(functionId),
                "FunctionVersion", getAtt(version, "Version"),
                "Name", HandlerFunction.ALIAS_NAME)));
    }

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void functionRole_isAssumedByLambdaOnly_withNoManagedPolicy(Topology.Function function) {
        Map<String, Map<String, Object>> role = template().findResources("AWS::IAM::Role",
                Map.of("Properties", Match.objectEquals(Map.of(
                        "AssumeRolePolicyDocument", trustPolicy("lambda.amazonaws.com"),
                        "Description", Match.anyValue()))));
        assertThat(role).containsKey(roleOf(function));
    }

    @Test
    void connect_mayOnlyPutItems_andTakeItsSubjectsPlace_andWriteItsLogs() {
        // UpdateItem takes a place on the subject's places row; GetItem reads it when the subject is full.
        assertRolePolicy(Topology.Function.CONNECT, List.of(logs(Topology.Function.CONNECT),
                statement(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), TABLE_ARN)));
    }

    @Test
    void disconnect_mayOnlyDeleteItems_andGiveItsPlaceBack_andWriteItsLogs() {
        assertRolePolicy(Topology.Function.DISCONNECT, List.of(logs(Topology.Function.DISCONNECT),
                statement(List.of("dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"), TABLE_ARN)));
    }

    @Test
    void sendMessage_maySendToTheReadingsQueue_publishOnlyToOutboundTopics_andAnswerTheSender() {
        assertRolePolicy(Topology.Function.SEND_MESSAGE, List.of(
                logs(Topology.Function.SEND_MESSAGE),
                // a gone sender is forgotten, its message rate kept on its row; no Scan: the fan-out reaches the audience
                statement(List.of("dynamodb:DeleteItem", "dynamodb:UpdateItem"), TABLE_ARN),
                postToConnections(),
                // minimizePolicies sorts a statement's resources
                statement("iot:Publish", List.of(
                        arn("iot", "topic/" + Topology.Topics.forThing(Topology.Topics.COMMANDS_TEMPLATE, "*")),
                        arn("iot", "topic/" + Topology.Topics.GENERAL_OUTBOUND))),
                statement("sqs:SendMessage", getAtt(readingsQueue(), "Arn"))));
    }

    @Test
    void fanOut_mayConsumeTheReadingsQueue_scanAndDelete_andPostToConnections() {
        assertRolePolicy(Topology.Function.FAN_OUT, List.of(
                logs(Topology.Function.FAN_OUT),
                sendToFailedInvocations(),
                statement(List.of("dynamodb:DeleteItem", "dynamodb:Scan"), TABLE_ARN),
                postToConnections(),
                statement(List.of("sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"),
                        getAtt(readingsQueue(), "Arn"))));
    }

    @Test
    void fanOut_mayInvokeItsOwnAlias_throughAPolicyItsFunctionDoesNotWaitFor() {
        String role = roleOf(Topology.Function.FAN_OUT);
        Map<String, Map<String, Object>> continuation = template().findResources("AWS::IAM::Policy", Map.of(
                "Properties", Match.objectEquals(Map.of(
                        "PolicyName", Match.anyValue(),
                        "Roles", List.of(ref(role)),
                        "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(
                                statement("lambda:InvokeFunction", ref(aliasOf(Topology.Function.FAN_OUT)))))))));
        assertThat(continuation).hasSize(1);
        // The function waiting for a policy that names its own alias would be a cycle CloudFormation refuses.
        Object dependsOn = template().findResources("AWS::Lambda::Function")
                .get(functionOf(Topology.Function.FAN_OUT)).get("DependsOn");
        List<Object> waitsFor = dependsOn == null ? List.of() : List.copyOf((List<?>) dependsOn);
        assertThat(waitsFor).doesNotContainAnyElementsOf(List.copyOf(continuation.keySet()));
    }

    @Test
    void defaultRoute_mayOnlyPostToConnections_andDeleteAGoneSendersRow() {
        assertRolePolicy(Topology.Function.DEFAULT, List.of(logs(Topology.Function.DEFAULT),
                statement("dynamodb:DeleteItem", TABLE_ARN), postToConnections()));
    }

    @Test
    void subscribe_mayOnlyUpdateRows_deleteAGoneSendersRow_andPostToConnections() {
        assertRolePolicy(Topology.Function.SUBSCRIBE, List.of(logs(Topology.Function.SUBSCRIBE),
                statement(List.of("dynamodb:DeleteItem", "dynamodb:UpdateItem"), TABLE_ARN), postToConnections()));
    }

    @Test
    void authorizer_mayOnlyGetTheTokenSecretsValue() {
        assertRolePolicy(Topology.Function.AUTHORIZER, List.of(
                logs(Topology.Function.AUTHORIZER),
                statement("secretsmanager:GetSecretValue", SECRET_ARN)));
    }

    // ----- WebSocket API

    @Test
    void api_isAWebSocketApiSelectingRoutesByAction() {
        template().hasResourceProperties("AWS::ApiGatewayV2::Api", Match.objectEquals(Map.of(
                "Name", Match.anyValue(),
                "Description", Match.anyValue(),
                "ProtocolType", "WEBSOCKET",
                "RouteSelectionExpression", Topology.ROUTE_SELECTION_EXPRESSION)));
    }

    @ParameterizedTest
    @FieldSource("ROUTES")
    void route_invokesTheAliasOfItsFunction_andOnlyConnectIsAuthorized(Topology.Route route) {
        String integration = logicalIdOf(template(), "AWS::ApiGatewayV2::Integration", Map.of(
                "IntegrationUri", lambdaInvocationUri(aliasOf(route.function()))));
        template().hasResourceProperties("AWS::ApiGatewayV2::Integration", Match.objectEquals(Map.of(
                "ApiId", ref(api()),
                "IntegrationType", "AWS_PROXY",
                "IntegrationUri", lambdaInvocationUri(aliasOf(route.function())))));

        Map<String, Object> expected = new TreeMap<>(Map.of(
                "ApiId", ref(api()),
                "RouteKey", route.routeKey(),
                "Target", Map.of("Fn::Join", List.of("", List.of("integrations/", ref(integration)))),
                "AuthorizationType", route.authorized() ? "CUSTOM" : "NONE"));
        if (route.authorized()) {
            expected.put("AuthorizerId", ref(authorizer()));
        }
        template().hasResourceProperties("AWS::ApiGatewayV2::Route", Match.objectEquals(expected));

        template().hasResourceProperties("AWS::Lambda::Permission", Match.objectEquals(Map.of(
                "Action", "lambda:InvokeFunction",
                "FunctionName", ref(aliasOf(route.function())),
                "Principal", "apigateway.amazonaws.com",
                "SourceArn", arn("execute-api", ref(api()), "/*" + route.routeKey()))));
    }

    @Test
    void connectAuthorizer_isARequestAuthorizerReadingTheTokenQueryParameter() {
        template().hasResourceProperties("AWS::ApiGatewayV2::Authorizer", Match.objectEquals(Map.of(
                "ApiId", ref(api()),
                "AuthorizerType", "REQUEST",
                "AuthorizerUri", lambdaInvocationUri(aliasOf(Topology.Function.AUTHORIZER)),
                "IdentitySource", List.of("route.request.querystring." + Topology.TOKEN_QUERY_PARAMETER),
                "Name", Match.anyValue())));
        template().hasResourceProperties("AWS::Lambda::Permission", Match.objectEquals(Map.of(
                "Action", "lambda:InvokeFunction",
                "FunctionName", ref(aliasOf(Topology.Function.AUTHORIZER)),
                "Principal", "apigateway.amazonaws.com",
                "SourceArn", arn("execute-api", ref(api()), "/authorizers/", ref(authorizer())))));
    }

    /**
     * Variables API Gateway defines for WebSocket access logs (API Gateway Developer Guide, "Configure
     * logging for WebSocket APIs in API Gateway"), the part a format here may use; HTTP APIs' own,
     * such as {@code $context.integrationErrorMessage}, are not among them.
     */
    private static final java.util.Set<String> WEBSOCKET_LOG_VARIABLES = java.util.Set.of(
            "apiId", "authorizer.error", "authorizer.principalId", "awsEndpointRequestId", "connectedAt",
            "connectionId", "domainName", "error.message", "error.messageString", "error.responseType",
            "eventType", "extendedRequestId", "identity.sourceIp", "identity.userAgent", "integration.error",
            "integration.integrationStatus", "integration.latency", "integration.requestId", "integration.status",
            "integrationLatency", "integrationStatus", "messageDirection", "messageId", "requestId", "requestTime",
            "requestTimeEpoch", "routeKey", "stage", "status");

    @Test
    void accessLogFormat_usesOnlyVariablesWebSocketApisDefine() {
        java.util.regex.Matcher variables = java.util.regex.Pattern.compile("\\$context\\.([A-Za-z.]+)")
                .matcher(WebSocketEndpoint.ACCESS_LOG_FORMAT);
        List<String> used = new ArrayList<>();
        while (variables.find()) {
            used.add(variables.group(1));
        }
        assertThat(used).hasSizeGreaterThan(5).allSatisfy(v -> assertThat(WEBSOCKET_LOG_VARIABLES).contains(v));
    }

    @Test
    void stage_isNamedFromContext_throttled_andWritesJsonAccessLogs() throws Exception {
        String stage = logicalIdOf(template(), "AWS::ApiGatewayV2::Stage", Map.of());
        Map<String, Object> stageResource = template().findResources("AWS::ApiGatewayV2::Stage").get(stage);
        @SuppressWarnings("unchecked")
        Map<String, Object> accessLogs = (Map<String, Object>) ((Map<String, Object>) stageResource.get("Properties"))
                .get("AccessLogSettings");
        @SuppressWarnings("unchecked")
        String logGroup = ((List<String>) ((Map<String, Object>) accessLogs.get("DestinationArn")).get("Fn::GetAtt")).get(0);

        template().hasResourceProperties("AWS::ApiGatewayV2::Stage", Match.objectEquals(Map.of(
                "ApiId", ref(api()),
                "StageName", stageName(),
                "AutoDeploy", true,
                "DefaultRouteSettings", Map.of(
                        "ThrottlingRateLimit", Topology.STAGE_THROTTLE.ratePerSecond(),
                        "ThrottlingBurstLimit", Topology.STAGE_THROTTLE.burst()),
                "RouteSettings", Map.of("sendMessage", Map.of(
                        "ThrottlingRateLimit", Topology.SEND_MESSAGE_THROTTLE.ratePerSecond(),
                        "ThrottlingBurstLimit", Topology.SEND_MESSAGE_THROTTLE.burst())),
                "AccessLogSettings", Map.of(
                        "DestinationArn", getAtt(logGroup, "Arn"),
                        "Format", WebSocketEndpoint.ACCESS_LOG_FORMAT))));
        assertThat(template().findResources("AWS::Logs::LogGroup")).containsKey(logGroup);
        Map<String, String> format = new ObjectMapper().readValue((String) accessLogs.get("Format"),
                new TypeReference<>() {
                });
        assertThat(format).containsEntry("connectionId", "$context.connectionId")
                .containsEntry("routeKey", "$context.routeKey")
                .containsEntry("status", "$context.status")
                .containsEntry("authorizerError", "$context.authorizer.error");
    }

    @Test
    void stage_waitsForTheRoutesItThrottles() {
        String stage = logicalIdOf(template(), "AWS::ApiGatewayV2::Stage", Map.of());
        String sendMessage = logicalIdOf(template(), "AWS::ApiGatewayV2::Route", Map.of("RouteKey", "sendMessage"));
        @SuppressWarnings("unchecked")
        List<String> dependsOn = (List<String>) template().findResources("AWS::ApiGatewayV2::Stage").get(stage)
                .getOrDefault("DependsOn", List.of());
        assertThat(dependsOn).as("API Gateway refuses route settings for a route it does not have yet")
                .contains(sendMessage);
    }

    @Test
    void apiGatewayAccount_logsWithARetainedRoleThatOnlyApiGatewayAssumes() {
        String role = logicalIdOf(template(), "AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", trustPolicy("apigateway.amazonaws.com")));
        template().hasResource("AWS::IAM::Role", Map.of(
                "Properties", Match.objectEquals(Map.of(
                        "AssumeRolePolicyDocument", trustPolicy("apigateway.amazonaws.com"),
                        "Description", Match.anyValue(),
                        "ManagedPolicyArns", List.of(Map.of("Fn::Join", List.of("", List.of("arn:",
                                ref("AWS::Partition"),
                                ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")))))),
                "DeletionPolicy", "Retain"));
        template().hasResourceProperties("AWS::ApiGateway::Account",
                Match.objectEquals(Map.of("CloudWatchRoleArn", getAtt(role, "Arn"))));
        template().hasResource("AWS::ApiGatewayV2::Stage",
                Map.of("DependsOn", Match.arrayWith(List.of(
                        logicalIdOf(template(), "AWS::ApiGateway::Account", Map.of())))));
    }

    // ----- IoT topic rules

    @ParameterizedTest
    @FieldSource("TOPIC_RULES")
    void topicRule_sendsItsOutputToTheReadingsQueue_andFailuresToTheFailedDeliveriesQueue(Topology.TopicRule rule) {
        String rulesRole = rulesRole();
        template().hasResourceProperties("AWS::IoT::TopicRule", Match.objectEquals(Map.of(
                "TopicRulePayload", Map.of(
                        "Sql", rule.sql(),
                        "AwsIotSqlVersion", Topology.SQL_VERSION,
                        "RuleDisabled", false,
                        "Description", Match.anyValue(),
                        "Actions", List.of(Map.of("Sqs", Map.of(
                                "QueueUrl", ref(readingsQueue()),
                                "RoleArn", getAtt(rulesRole, "Arn"),
                                "UseBase64", false))),
                        "ErrorAction", Map.of("Sqs", Map.of(
                                "QueueUrl", ref(queue()),
                                "RoleArn", getAtt(rulesRole, "Arn"),
                                "UseBase64", false))))));
    }

    @Test
    void noTopicRule_invokesAFunction() {
        assertThat(template().findResources("AWS::Lambda::Permission",
                Map.of("Properties", Match.objectLike(Map.of("Principal", "iot.amazonaws.com"))))).isEmpty();
    }

    @Test
    void readingsQueue_hidesAReceivedReadingSixFanOutTimeouts_keepsIt14Days_andMovesItToItsDeadLettersAfterFiveReceives() {
        template().hasResource("AWS::SQS::Queue", Map.of(
                "Properties", Match.objectEquals(Map.of(
                        "VisibilityTimeout", 6 * Topology.Function.FAN_OUT.timeoutSeconds(),
                        "MessageRetentionPeriod", 14 * 24 * 3600,
                        "SqsManagedSseEnabled", true,
                        "RedrivePolicy", Map.of(
                                "deadLetterTargetArn", getAtt(readingsDeadLettersQueue(), "Arn"),
                                "maxReceiveCount", Topology.ReadingsQueue.MAX_RECEIVE_COUNT))),
                "DeletionPolicy", "Delete"));
        assertThat(readingsQueue()).isEqualTo(logicalIdOf(template(), "AWS::SQS::Queue", Map.of(
                "VisibilityTimeout", 6 * Topology.Function.FAN_OUT.timeoutSeconds())));
    }

    @Test
    void fanOutAlias_consumesTheReadingsQueue_tenAtATime_withoutWaiting_reportingFailedReadingsOnly() {
        String mapping = logicalIdOf(template(), "AWS::Lambda::EventSourceMapping", Map.of());
        template().hasResourceProperties("AWS::Lambda::EventSourceMapping", Match.objectEquals(Map.of(
                // The live alias, qualified: the function's name and the alias's.
                "FunctionName", Map.of("Fn::Join", List.of("", List.of(
                        Map.of("Fn::Select", List.of(6, Map.of("Fn::Split", List.of(":",
                                ref(aliasOf(Topology.Function.FAN_OUT)))))),
                        ":" + HandlerFunction.ALIAS_NAME))),
                "EventSourceArn", getAtt(readingsQueue(), "Arn"),
                "BatchSize", Topology.ReadingsQueue.BATCH_SIZE,
                "MaximumBatchingWindowInSeconds", 0,
                "ScalingConfig", Map.of("MaximumConcurrency", Topology.ReadingsQueue.MAX_CONCURRENCY),
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"))));
        // Lambda checks the role's permission to receive when the mapping is created.
        String policy = logicalIdOf(template(), "AWS::IAM::Policy", Map.of(
                "Roles", List.of(ref(roleOf(Topology.Function.FAN_OUT))),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", Match.arrayWith(List.of("sqs:ReceiveMessage"))))))))));
        template().hasResource("AWS::Lambda::EventSourceMapping", Map.of(
                "DependsOn", Match.arrayWith(List.of(policy))));
        assertThat(mapping).isNotNull();
    }

    @Test
    void failedDeliveriesQueue_keepsMessages14Days_encrypted_andRefusesPlainTransport() {
        template().hasResource("AWS::SQS::Queue", Map.of(
                "Properties", Match.objectEquals(Map.of(
                        "MessageRetentionPeriod", 14 * 24 * 3600,
                        "SqsManagedSseEnabled", true)),
                "DeletionPolicy", "Delete"));
        template().hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectEquals(Map.of(
                "Queues", List.of(ref(queue())),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                        "Effect", "Deny",
                        "Action", "sqs:*",
                        "Principal", Map.of("AWS", "*"),
                        "Resource", getAtt(queue(), "Arn"),
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))));
    }

    @Test
    void failedInvocationsAndDeadLetters_areOtherQueues_keepingMessages14Days_encrypted_andRefusingPlainTransport() {
        assertThat(failedInvocationsQueue()).isNotEqualTo(queue());
        assertThat(template().findResources("AWS::SQS::Queue", Map.of(
                "Properties", Match.objectEquals(Map.of(
                        "MessageRetentionPeriod", 14 * 24 * 3600,
                        "SqsManagedSseEnabled", true)),
                "DeletionPolicy", "Delete"))).containsOnlyKeys(queue(), failedInvocationsQueue(),
                readingsDeadLettersQueue());
        template().hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectEquals(Map.of(
                "Queues", List.of(ref(failedInvocationsQueue())),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                        "Effect", "Deny",
                        "Action", "sqs:*",
                        "Principal", Map.of("AWS", "*"),
                        "Resource", getAtt(failedInvocationsQueue(), "Arn"),
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))));
    }

    @ParameterizedTest
    @MethodSource("asynchronouslyInvoked")
    void asynchronousTarget_retriesTwice_forAtMostAnHour_thenKeepsTheRecordInTheFailedInvocationsQueue(
            Topology.Function function) {
        String config = logicalIdOf(template(), "AWS::Lambda::EventInvokeConfig",
                Map.of("FunctionName", ref(functionOf(function))));

        template().hasResourceProperties("AWS::Lambda::EventInvokeConfig", Match.objectEquals(Map.of(
                "FunctionName", ref(functionOf(function)),
                // The live alias's name, read from the alias itself so that the alias exists first.
                "Qualifier", Map.of("Fn::Select", List.of(7, Map.of("Fn::Split", List.of(":", ref(aliasOf(function)))))),
                "MaximumRetryAttempts", 2,
                "MaximumEventAgeInSeconds", 3600,
                "DestinationConfig", Map.of("OnFailure", Map.of(
                        "Destination", getAtt(failedInvocationsQueue(), "Arn"))))));
        // Lambda checks the role's permission when the configuration is created.
        String policy = logicalIdOf(template(), "AWS::IAM::Policy", Map.of(
                "Roles", List.of(ref(roleOf(function))),
                "PolicyDocument", Match.objectLike(Map.of("Statement",
                        Match.arrayWith(List.of(Match.objectEquals(sendToFailedInvocations())))))));
        template().hasResource("AWS::Lambda::EventInvokeConfig", Map.of(
                "Properties", Match.objectLike(Map.of("FunctionName", ref(functionOf(function)))),
                "DependsOn", Match.arrayWith(List.of(policy))));
        assertThat(template().findResources("AWS::Lambda::EventInvokeConfig")).containsOnlyKeys(config);
    }

    @ParameterizedTest
    @MethodSource("asynchronouslyInvoked")
    void asynchronousTargetRole_maySendToTheFailedInvocationsQueue_only(Topology.Function function) {
        template().hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(ref(roleOf(function))),
                "PolicyDocument", Match.objectLike(Map.of("Statement",
                        Match.arrayWith(List.of(Match.objectEquals(sendToFailedInvocations()))))))));
        List<Map<String, Object>> sqs = TemplateFacts.allPolicyStatements(template()).stream()
                .filter(s -> TemplateFacts.actions(s).stream().anyMatch(a -> a.startsWith("sqs:")))
                .filter(s -> TemplateFacts.resources(s).contains(getAtt(failedInvocationsQueue(), "Arn")))
                .filter(s -> ALLOW.equals(s.get("Effect")))
                .toList();
        assertThat(sqs).containsOnly(sendToFailedInvocations()).hasSize(asynchronouslyInvoked().size());
    }

    @Test
    void rulesRole_isAssumedByIot_andMayOnlySendToTheReadingsAndFailedDeliveriesQueues() {
        String role = rulesRole();
        List<Map<String, Object>> statements = TemplateFacts.allPolicyStatements(template(), ref(role));
        assertThat(statements).isNotEmpty().allSatisfy(statement -> {
            assertThat(statement.get("Effect")).isEqualTo(ALLOW);
            assertThat(TemplateFacts.actions(statement)).containsExactly("sqs:SendMessage");
        });
        assertThat(statements.stream().flatMap(st -> TemplateFacts.resources(st).stream()).toList())
                .containsExactlyInAnyOrder(getAtt(readingsQueue(), "Arn"), getAtt(queue(), "Arn"));
    }

    // ----- IoT endpoint lookup

    @Test
    void iotEndpoint_isLookedUpWithDescribeEndpointForDataAts() {
        Object call = Match.serializedJson(Match.objectEquals(Map.of(
                "service", "IoT",
                "action", "describeEndpoint",
                "parameters", Map.of("endpointType", "iot:Data-ATS"),
                "physicalResourceId", Map.of("responsePath", "endpointAddress"))));
        template().hasResourceProperties("Custom::AWS", Match.objectLike(Map.of(
                "Create", call,
                "Update", call,
                "InstallLatestAwsSdk", false)));
    }

    @Test
    void iotEndpointLookup_mayOnlyDescribeEndpoints_andWriteItsLogs() {
        String provider = logicalIdOf(template(), "AWS::Lambda::Function", Map.of("Handler", "index.handler"));
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) template().findResources("AWS::Lambda::Function")
                .get(provider).get("Properties");
        @SuppressWarnings("unchecked")
        String role = ((List<String>) ((Map<String, Object>) properties.get("Role")).get("Fn::GetAtt")).get(0);
        @SuppressWarnings("unchecked")
        String logGroup = (String) ((Map<String, Object>) ((Map<String, Object>) properties.get("LoggingConfig"))
                .get("LogGroup")).get("Ref");

        template().hasResourceProperties("AWS::IAM::Role", Match.objectEquals(Map.of(
                "AssumeRolePolicyDocument", trustPolicy("lambda.amazonaws.com"),
                "Description", Match.anyValue())));
        Map<String, Map<String, Object>> policies = template().findResources("AWS::IAM::Policy",
                Map.of("Properties", Match.objectLike(Map.of("Roles", List.of(ref(role))))));
        List<Object> documents = policies.values().stream()
                .map(p -> (Object) ((Map<?, ?>) p.get("Properties")).get("PolicyDocument"))
                .toList();
        assertThat(documents)
                .containsExactlyInAnyOrder(
                        Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                                "Action", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                                "Effect", ALLOW,
                                "Resource", getAtt(logGroup, "Arn")))),
                        Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                                "Action", "iot:DescribeEndpoint",
                                "Effect", ALLOW,
                                "Resource", "*"))));
    }

    // ----- outputs

    @Test
    void outputs_useTheDesignKeys() {
        template().hasOutput("WebSocketUrl", Map.of("Value", stageUrl("wss://")));
        template().hasOutput("CallbackUrl", Map.of("Value", stageUrl("https://")));
        template().hasOutput("IotEndpoint", Map.of("Value", getAtt(endpointLookup(), "endpointAddress")));
        template().hasOutput("MqttPort", Map.of("Value", "8883"));
        template().hasOutput("HttpsPort", Map.of("Value", "8443"));
        template().hasOutput("ReadingsQueueUrl", Map.of("Value", ref(readingsQueue())));
        template().hasOutput("ReadingsDeadLettersQueueUrl", Map.of("Value", ref(readingsDeadLettersQueue())));
        template().hasOutput("FailedDeliveriesQueueUrl", Map.of("Value", ref(queue())));
        template().hasOutput("FailedInvocationsQueueUrl", Map.of("Value", ref(failedInvocationsQueue())));
    }

    // ----- operations: tracing, reserved concurrency, alarms and their topic, dashboard, IoT logging

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void function_tracesActively_withXRayInAPolicyOfItsOwn_thatTheFunctionWaitsFor(Topology.Function function) {
        template().hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", function.handler(),
                "TracingConfig", Map.of("Mode", "Active"))));
        String tracing = logicalIdOf(template(), "AWS::IAM::Policy", Map.of(
                "Roles", List.of(ref(roleOf(function))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(tracingStatement()))));
        @SuppressWarnings("unchecked")
        List<Object> dependsOn = (List<Object>) template().findResources("AWS::Lambda::Function")
                .get(functionOf(function)).getOrDefault("DependsOn", List.of());
        assertThat(dependsOn).as("Lambda checks the role's X-Ray permissions when tracing is turned on")
                .contains(tracing);
    }

    @ParameterizedTest
    @EnumSource(Topology.Function.class)
    void onlyTheFanOut_reservesConcurrency_whatItsCoordinatorsWorkersAndContinuationsRunAtOnce(
            Topology.Function function) {
        Object reserved = functionProperties(function).get("ReservedConcurrentExecutions");
        if (function == Topology.ReadingsQueue.CONSUMER) {
            // 2 coordinators (the mapping's maximum concurrency), 50 workers each, room for 18 continuations
            assertThat(reserved).isEqualTo(Topology.ReadingsQueue.MAX_CONCURRENCY
                    * (1 + Topology.Defaults.WORKERS_IN_FLIGHT) + FanOutConcurrency.CONTINUATION_ROOM).isEqualTo(120);
        } else {
            assertThat(reserved).isNull();
        }
    }

    @Test
    void alarmTopic_acceptsPublishesOverTlsOnly_andFromThisAccountsCloudWatchAlarms() {
        String topic = alarmTopic();
        template().hasResourceProperties("AWS::SNS::TopicPolicy", Match.objectLike(Map.of(
                "Topics", List.of(ref(topic)),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Effect", "Deny",
                                "Action", "sns:Publish",
                                "Resource", ref(topic),
                                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))),
                        Match.objectEquals(Map.of(
                                "Sid", "PublishAlarmsOfThisAccount",
                                "Effect", ALLOW,
                                "Action", "sns:Publish",
                                "Principal", Map.of("Service", "cloudwatch.amazonaws.com"),
                                "Resource", ref(topic),
                                "Condition", Map.of(
                                        "ArnLike", Map.of("aws:SourceArn", arn("cloudwatch", "alarm:*")),
                                        "StringEquals", Map.of("aws:SourceAccount", ref("AWS::AccountId"))))))))))));
    }

    @Test
    void everyAlarm_notifiesTheTopicOnAlarmAndOnRecovery_andTreatsMissingDataAsNotBreaching_exceptQueueDepths() {
        Map<String, Map<String, Object>> alarms = template().findResources("AWS::CloudWatch::Alarm");

        assertThat(alarms).hasSize(ALARMS).allSatisfy((id, alarm) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> properties = (Map<String, Object>) alarm.get("Properties");
            assertThat(properties)
                    .containsEntry("AlarmActions", List.of(ref(alarmTopic())))
                    .containsEntry("OKActions", List.of(ref(alarmTopic())))
                    .containsEntry("TreatMissingData",
                            "AWS/SQS".equals(properties.get("Namespace")) ? "ignore" : "notBreaching")
                    .containsEntry("ComparisonOperator", "GreaterThanThreshold")
                    .containsKey("AlarmDescription");
        });
        assertThat(alarms.values()).filteredOn(alarm -> "AWS/SQS".equals(((Map<?, ?>) alarm.get("Properties"))
                .get("Namespace"))).hasSize(failureQueueOutputs().size());
    }

    static List<String> failureQueueOutputs() {
        return List.of("ReadingsDeadLettersQueueUrl", "FailedDeliveriesQueueUrl", "FailedInvocationsQueueUrl");
    }

    @ParameterizedTest
    @MethodSource("failureQueueOutputs")
    void failureQueue_alarmsOnAnyVisibleMessage(String queueOutput) {
        assertAlarm("AWS/SQS", "ApproximateNumberOfMessagesVisible",
                List.of(dimension("QueueName", getAtt(outputRef(queueOutput), "QueueName"))),
                "Maximum", 300, 1, 0, "ignore");
    }

    @Test
    void fanOut_alarmsOnAnyErrorOrThrottle_ofTheFunction() {
        List<Object> fanOut = List.of(dimension("FunctionName", ref(functionOf(Topology.Function.FAN_OUT))));
        assertAlarm("AWS/Lambda", "Errors", fanOut, "Sum", 300, 1, 0);
        assertAlarm("AWS/Lambda", "Throttles", fanOut, "Sum", 300, 1, 0);
    }

    @Test
    void fanOutLag_alarmsWhenItsMaximumStaysOver5sForThreeMinutes() {
        assertAlarm(Metrics.NAMESPACE, Metrics.FAN_OUT_LAG, List.of(dimension(Metrics.STAGE_DIMENSION, stageName())),
                "Maximum", 60, 3, 5_000);
    }

    @Test
    void authorizerDenials_alarmOverAHundredInFiveMinutes() {
        assertAlarm(Metrics.NAMESPACE, Metrics.AUTHORIZER_DENY, List.of(dimension(Metrics.STAGE_DIMENSION, stageName())),
                "Sum", 300, 1, 100);
    }

    @Test
    void webSocketStage_alarmsOnAnyExecutionError_ofThisApiAndStage() {
        assertAlarm("AWS/ApiGateway", "ExecutionError",
                List.of(dimension("ApiId", ref(api())), dimension("Stage", stageName())), "Sum", 300, 1, 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void routeFunctionErrors_alarmOnTheSumOfEveryRouteFunctionsAndTheAuthorizersErrors() {
        Map<String, Map<String, Object>> found = template().findResources("AWS::CloudWatch::Alarm", Map.of(
                "Properties", Match.objectLike(Map.of("Metrics", Match.anyValue()))));
        assertThat(found).hasSize(1);
        Map<String, Object> properties = (Map<String, Object>) found.values().iterator().next().get("Properties");
        assertThat(properties).containsEntry("Threshold", 0).containsEntry("EvaluationPeriods", 1);
        List<Map<String, Object>> queries = (List<Map<String, Object>>) properties.get("Metrics");
        List<Map<String, Object>> stats = queries.stream().filter(q -> q.containsKey("MetricStat")).toList();
        Map<String, Object> expression = queries.stream().filter(q -> q.containsKey("Expression")).findFirst().orElseThrow();

        assertThat(expression.get("Expression")).isEqualTo("SUM([" + String.join(",",
                stats.stream().map(q -> (String) q.get("Id")).toList()) + "])");
        assertThat(expression.get("ReturnData")).isNotEqualTo(false);
        List<Object> functionsSummed = new ArrayList<>();
        for (Map<String, Object> stat : stats) {
            Map<String, Object> metricStat = (Map<String, Object>) stat.get("MetricStat");
            Map<String, Object> metric = (Map<String, Object>) metricStat.get("Metric");
            assertThat(metric).containsEntry("Namespace", "AWS/Lambda").containsEntry("MetricName", "Errors");
            assertThat(metricStat).containsEntry("Stat", "Sum").containsEntry("Period", 300);
            assertThat(stat.get("ReturnData")).isEqualTo(false);
            functionsSummed.add(((List<Map<String, Object>>) metric.get("Dimensions")).getFirst().get("Value"));
        }
        List<Object> expected = new ArrayList<>();
        ROUTES.forEach(route -> expected.add(ref(functionOf(route.function()))));
        expected.add(ref(functionOf(Topology.Function.AUTHORIZER)));
        assertThat(functionsSummed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void dashboard_showsEveryMetricTheFunctionsEmit_andTheQueuesFanOutAndStage() throws Exception {
        Map<String, Map<String, Object>> dashboards = template().findResources("AWS::CloudWatch::Dashboard");
        assertThat(dashboards).hasSize(1);
        @SuppressWarnings("unchecked")
        Object body = ((Map<String, Object>) dashboards.values().iterator().next().get("Properties")).get("DashboardBody");
        java.util.Set<List<String>> shown = dashboardMetrics(body);

        java.util.Set<List<String>> expected = new java.util.HashSet<>();
        for (String name : List.of(Metrics.READINGS_IN, Metrics.READINGS_DELIVERED, Metrics.FRAMES_DELIVERED,
                Metrics.POSTS_GONE, Metrics.POSTS_FAILED, Metrics.FAN_OUT_LAG, Metrics.CONNECTIONS, Metrics.MESSAGES_IN,
                Metrics.MESSAGES_REFUSED, Metrics.AUTHORIZER_ALLOW, Metrics.AUTHORIZER_DENY)) {
            expected.add(List.of(Metrics.NAMESPACE, name, Metrics.STAGE_DIMENSION));
        }
        for (String name : List.of("Errors", "Throttles", "Duration", "ConcurrentExecutions")) {
            expected.add(List.of("AWS/Lambda", name, "FunctionName"));
        }
        expected.add(List.of("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName"));
        for (String name : List.of("ConnectCount", "MessageCount", "ExecutionError", "IntegrationError", "ClientError")) {
            expected.add(List.of("AWS/ApiGateway", name, "ApiId"));
        }
        assertThat(shown).containsAll(expected);
    }

    @Test
    void iotLogging_isErrorByDefault_writtenWithARoleOnlyIotAssumes() {
        String role = logicalIdOf(template(), "AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", trustPolicy("iot.amazonaws.com"),
                "Description", Match.stringLikeRegexp(".*" + IotLogging.LOG_GROUP + ".*")));
        template().hasResourceProperties("AWS::IoT::Logging", Match.objectEquals(Map.of(
                "AccountId", ref("AWS::AccountId"),
                "DefaultLogLevel", "ERROR",
                "RoleArn", getAtt(role, "Arn"))));
        @SuppressWarnings("unchecked")
        List<Object> dependsOn = (List<Object>) template().findResources("AWS::IoT::Logging").values().iterator().next()
                .get("DependsOn");
        String policy = logicalIdOf(template(), "AWS::IAM::Policy", Map.of("Roles", List.of(ref(role))));
        assertThat(dependsOn).contains(role, policy);
    }

    @Test
    void iotLoggingRole_mayOnlyCreateAndWriteIotsOwnLogGroup() {
        String role = logicalIdOf(template(), "AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", trustPolicy("iot.amazonaws.com"),
                "Description", Match.stringLikeRegexp(".*" + IotLogging.LOG_GROUP + ".*")));
        assertThat(TemplateFacts.allPolicyStatements(template(), ref(role))).containsExactly(statement(
                List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
                arn("logs", "log-group:AWSIotLogsV2:*")));
    }

    @Test
    void outputs_nameTheDashboardAndTheAlarmTopic() {
        String dashboard = logicalIdOf(template(), "AWS::CloudWatch::Dashboard", Map.of());
        template().hasOutput("DashboardUrl", Map.of("Value", Map.of("Fn::Join", List.of("", List.of(
                "https://", ref("AWS::Region"), ".console.aws.amazon.com/cloudwatch/home?region=", ref("AWS::Region"),
                "#dashboards:name=", ref(dashboard))))));
        template().hasOutput("AlarmTopicArn", Map.of("Value", ref(alarmTopic())));
    }

    private String alarmTopic() {
        return logicalIdOf(template(), "AWS::SNS::Topic", Map.of());
    }

    private static Map<String, Object> dimension(String name, Object value) {
        return Map.of("Name", name, "Value", value);
    }

    /** Exactly one alarm on this metric, with exactly these settings, notifying the topic. */
    private void assertAlarm(String namespace, String metricName, List<Object> dimensions, String statistic,
                             int periodSeconds, int periods, int threshold) {
        assertAlarm(namespace, metricName, dimensions, statistic, periodSeconds, periods, threshold, "notBreaching");
    }

    private void assertAlarm(String namespace, String metricName, List<Object> dimensions, String statistic,
                             int periodSeconds, int periods, int threshold, String missingData) {
        Map<String, Object> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("Namespace", namespace),
                Map.entry("MetricName", metricName),
                Map.entry("Dimensions", dimensions),
                Map.entry("Statistic", statistic),
                Map.entry("Period", periodSeconds),
                Map.entry("EvaluationPeriods", periods),
                Map.entry("DatapointsToAlarm", periods),
                Map.entry("Threshold", threshold),
                Map.entry("ComparisonOperator", "GreaterThanThreshold"),
                Map.entry("TreatMissingData", missingData),
                Map.entry("AlarmActions", List.of(ref(alarmTopic()))),
                Map.entry("OKActions", List.of(ref(alarmTopic()))),
                Map.entry("AlarmDescription", Match.anyValue())));
        assertThat(template().findResources("AWS::CloudWatch::Alarm",
                Map.of("Properties", Match.objectEquals(expected)))).as("alarm on %s %s", namespace, metricName).hasSize(1);
    }

    /**
     * (namespace, metric name, first dimension name) of every metric the dashboard graphs. The body is
     * JSON joined with references (queue names, the API id, the region); they stand inside strings,
     * so a placeholder keeps it JSON.
     */
    @SuppressWarnings("unchecked")
    private static java.util.Set<List<String>> dashboardMetrics(Object body) throws Exception {
        String json = body instanceof String text ? text : ((List<Object>) ((Map<String, Object>) body).get("Fn::Join"))
                .get(1) instanceof List<?> parts
                ? parts.stream().map(part -> part instanceof String text ? text : "REF").collect(
                        java.util.stream.Collectors.joining())
                : "";
        Map<String, Object> parsed = new ObjectMapper().readValue(json, new TypeReference<>() {
        });
        java.util.Set<List<String>> metrics = new java.util.HashSet<>();
        for (Map<String, Object> widget : (List<Map<String, Object>>) parsed.get("widgets")) {
            Map<String, Object> properties = (Map<String, Object>) widget.get("properties");
            for (List<Object> metric : (List<List<Object>>) properties.getOrDefault("metrics", List.of())) {
                // a metric repeats "..." for the namespace and name of the one before it
                metrics.add(List.of((String) metric.get(0), (String) metric.get(1), (String) metric.get(2)));
            }
        }
        return metrics;
    }

    // ----- template readers

    String functionOf(Topology.Function function) {
        return logicalIdOf(template(), "AWS::Lambda::Function", Map.of("Handler", function.handler()));
    }

    String aliasOf(Topology.Function function) {
        return logicalIdOf(template(), "AWS::Lambda::Alias", Map.of("FunctionName", ref(functionOf(function))));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> functionProperties(Topology.Function function) {
        return (Map<String, Object>) template().findResources("AWS::Lambda::Function")
                .get(functionOf(function)).get("Properties");
    }

    @SuppressWarnings("unchecked")
    String roleOf(Topology.Function function) {
        return ((List<String>) ((Map<String, Object>) functionProperties(function).get("Role")).get("Fn::GetAtt")).get(0);
    }

    @SuppressWarnings("unchecked")
    String logGroupOf(Topology.Function function) {
        return (String) ((Map<String, Object>) ((Map<String, Object>) functionProperties(function)
                .get("LoggingConfig")).get("LogGroup")).get("Ref");
    }

    private String api() {
        return logicalIdOf(template(), "AWS::ApiGatewayV2::Api", Map.of());
    }

    private String authorizer() {
        return logicalIdOf(template(), "AWS::ApiGatewayV2::Authorizer", Map.of());
    }

    /** The rules' error-action queue, as its output names it. */
    private String queue() {
        return outputRef("FailedDeliveriesQueueUrl");
    }

    /** The queue between the rules and the fan-out, as its output names it. */
    private String readingsQueue() {
        return outputRef("ReadingsQueueUrl");
    }

    /** The readings queue's dead-letter queue, as its output names it. */
    private String readingsDeadLettersQueue() {
        return outputRef("ReadingsDeadLettersQueueUrl");
    }

    /** The on-failure destination of the fan-out's asynchronous invocations, as its output names it. */
    private String failedInvocationsQueue() {
        return outputRef("FailedInvocationsQueueUrl");
    }

    @SuppressWarnings("unchecked")
    private String outputRef(String key) {
        Map<String, Map<String, Object>> outputs = template().findOutputs(key);
        assertThat(outputs).as("output %s", key).hasSize(1);
        return (String) ((Map<String, Object>) outputs.values().iterator().next().get("Value")).get("Ref");
    }

    /** The functions invoked asynchronously: the continuation target, by the functions that hand a broadcast over. */
    static List<Topology.Function> asynchronouslyInvoked() {
        return List.of(Topology.CONTINUATION_TARGET);
    }

    private Map<String, Object> sendToFailedInvocations() {
        return statement("sqs:SendMessage", getAtt(failedInvocationsQueue(), "Arn"));
    }

    private String endpointLookup() {
        return logicalIdOf(template(), "Custom::AWS", Map.of());
    }

    private String rulesRole() {
        return logicalIdOf(template(), "AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", trustPolicy("iot.amazonaws.com"),
                "Description", Match.stringLikeRegexp(".*topic rules.*")));
    }

    private Map<String, Object> stageUrl(String scheme) {
        return Map.of("Fn::Join", List.of("", List.of(scheme, ref(api()), ".execute-api.", ref("AWS::Region"), ".",
                ref("AWS::URLSuffix"), "/" + stageName())));
    }

    private static Map<String, Object> lambdaInvocationUri(String alias) {
        return Map.of("Fn::Join", List.of("", List.of("arn:", ref("AWS::Partition"), ":apigateway:",
                ref("AWS::Region"), ":lambda:path/2015-03-31/functions/", ref(alias), "/invocations")));
    }

    private static Map<String, Object> trustPolicy(String service) {
        return Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                "Action", "sts:AssumeRole",
                "Effect", ALLOW,
                "Principal", Map.of("Service", service))));
    }

    static Map<String, Object> tracingStatement() {
        return statement(List.of("xray:PutTelemetryRecords", "xray:PutTraceSegments"), "*");
    }

    static Map<String, Object> statement(Object actions, Object resources) {
        return Map.of("Action", actions, "Effect", ALLOW, "Resource", resources);
    }

    private Map<String, Object> logs(Topology.Function function) {
        return statement(List.of("logs:CreateLogStream", "logs:PutLogEvents"), getAtt(logGroupOf(function), "Arn"));
    }

    /** POST on {@code @connections} of this stage: no GET, no DELETE. */
    private Map<String, Object> postToConnections() {
        return statement("execute-api:ManageConnections",
                arn("execute-api", ref(api()), "/" + stageName() + "/POST/@connections/*"));
    }

    /** The function's role has exactly one policy, with exactly these statements. */
    private void assertRolePolicy(Topology.Function function, List<?> statements) {
        template().hasResourceProperties("AWS::IAM::Policy", Match.objectEquals(Map.of(
                "PolicyName", Match.anyValue(),
                "Roles", List.of(ref(roleOf(function))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", statements))));
        // the default policy, the tracing policy, and the fan-out's continuation policy
        int ownPolicies = function == Topology.CONTINUATION_TARGET ? 3 : 2;
        assertThat(template().findResources("AWS::IAM::Policy", Map.of("Properties",
                Match.objectLike(Map.of("Roles", List.of(ref(roleOf(function)))))))).hasSize(ownPolicies);
    }
}
