package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.aws_apigatewayv2_authorizers.WebSocketLambdaAuthorizer;
import software.amazon.awscdk.aws_apigatewayv2_integrations.WebSocketLambdaIntegration;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.CfnAccount;
import software.amazon.awscdk.services.apigatewayv2.CfnStage;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogDestination;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogSettings;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.apigatewayv2.WebSocketApi;
import software.amazon.awscdk.services.apigatewayv2.WebSocketRoute;
import software.amazon.awscdk.services.apigatewayv2.WebSocketRouteOptions;
import software.amazon.awscdk.services.apigatewayv2.WebSocketStage;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The WebSocket API people connect to: route selection on {@link Topology#ROUTE_SELECTION_EXPRESSION},
 * one stage with throttling and JSON access logs. Routes are added once their functions exist
 * (the functions need this API's callback URL first).
 */
public final class WebSocketEndpoint extends Construct {

    /** Query-string identity source of the {@code $connect} authorizer. */
    static final String TOKEN_IDENTITY_SOURCE = "route.request.querystring." + Topology.TOKEN_QUERY_PARAMETER;

    /**
     * One JSON line per connect, message and disconnect; only variables API Gateway defines for
     * WebSocket APIs (API Gateway Developer Guide, "Configure logging for WebSocket APIs"): HTTP
     * APIs' {@code $context.integrationErrorMessage} is not one of them.
     */
    static final String ACCESS_LOG_FORMAT = "{\"requestId\":\"$context.requestId\","
            + "\"connectionId\":\"$context.connectionId\","
            + "\"eventType\":\"$context.eventType\","
            + "\"routeKey\":\"$context.routeKey\","
            + "\"status\":\"$context.status\","
            + "\"requestTime\":\"$context.requestTimeEpoch\","
            + "\"sourceIp\":\"$context.identity.sourceIp\","
            + "\"error\":\"$context.error.message\","
            + "\"integrationError\":\"$context.integration.error\","
            + "\"authorizerError\":\"$context.authorizer.error\"}";

    /**
     * @param stageName the stage
     * @param throttle the stage's throttle, for routes without one of their own
     */
    public record Props(String stageName, Topology.Throttle throttle) {
    }

    private final WebSocketApi api;
    private final WebSocketStage stage;
    private final Map<String, Object> routeSettings = new TreeMap<>();

    public WebSocketEndpoint(Construct scope, String id, Props props) {
        super(scope, id);
        api = WebSocketApi.Builder.create(this, "Api")
                .apiName(Stack.of(this).getStackName() + "-websocket")
                .description("edgewire: readings from devices to people, messages from people to devices")
                .routeSelectionExpression(Topology.ROUTE_SELECTION_EXPRESSION)
                .build();
        LogGroup accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .retention(HandlerFunction.LOG_RETENTION)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        LogGroupLogDestination destination = new LogGroupLogDestination(accessLogs);
        stage = WebSocketStage.Builder.create(this, "Stage")
                .webSocketApi(api)
                .stageName(props.stageName())
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(props.throttle().ratePerSecond())
                        .burstLimit(props.throttle().burst())
                        .build())
                .accessLogSettings(new IAccessLogSettings() {
                    @Override
                    public IAccessLogDestination getDestination() {
                        return destination;
                    }

                    @Override
                    public AccessLogFormat getFormat() {
                        return AccessLogFormat.custom(ACCESS_LOG_FORMAT);
                    }
                })
                .build();
        // API Gateway writes WebSocket logs with the region's account-level role; a stage with
        // logging fails to deploy until one is set. Retained on destroy: other APIs in the
        // account may log with it too.
        Role cloudWatchRole = Role.Builder.create(this, "CloudWatchRole")
                .assumedBy(new ServicePrincipal("apigateway.amazonaws.com"))
                .description("API Gateway account-level role for writing API logs to CloudWatch")
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName(
                        "service-role/AmazonAPIGatewayPushToCloudWatchLogs")))
                .build();
        cloudWatchRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
        Acknowledge.finding(cloudWatchRole, "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                + "service-role/AmazonAPIGatewayPushToCloudWatchLogs]", "This is the account-level role API"
                + " Gateway itself assumes to write logs of every API in the region; AWS documents this managed"
                + " policy for it and keeps it current with what API Gateway needs.");
        CfnAccount account = CfnAccount.Builder.create(this, "Account")
                .cloudWatchRoleArn(cloudWatchRole.getRoleArn())
                .build();
        stage.getNode().addDependency(account);
    }

    /** Routes {@code route} to {@code handler}, behind {@code authorizer} when the route is authorized. */
    public void addRoute(Topology.Route route, IFunction handler, IFunction authorizer) {
        WebSocketRouteOptions.Builder options = WebSocketRouteOptions.builder()
                .integration(new WebSocketLambdaIntegration(route.function().id() + "Integration", handler));
        if (route.authorized()) {
            options.authorizer(WebSocketLambdaAuthorizer.Builder
                    .create(route.function().id() + "Authorizer", authorizer)
                    .identitySource(List.of(TOKEN_IDENTITY_SOURCE))
                    .build());
        }
        WebSocketRoute added = api.addRoute(route.routeKey(), options.build());
        route.ownThrottle().ifPresent(throttle -> throttleRoute(route.routeKey(), throttle, added));
        if (!route.authorized()) {
            Acknowledge.finding(added, "AwsSolutions-APIG4", "WebSocket APIs authorize once, on $connect"
                    + " (API Gateway accepts an authorizer on that route only); every later message of the"
                    + " connection has passed it.");
        }
    }

    /**
     * A route-level throttle on the stage (CloudFormation {@code AWS::ApiGatewayV2::Stage}
     * {@code RouteSettings}, keyed by route key). API Gateway refuses a stage whose route settings name
     * a route it does not have yet ("Unable to find Route by key"), so the stage waits for the route.
     */
    private void throttleRoute(String routeKey, Topology.Throttle throttle, WebSocketRoute route) {
        routeSettings.put(routeKey, Map.of(
                "ThrottlingRateLimit", throttle.ratePerSecond(),
                "ThrottlingBurstLimit", throttle.burst()));
        ((CfnStage) stage.getNode().getDefaultChild()).setRouteSettings(Map.copyOf(routeSettings));
        stage.getNode().addDependency(route);
    }

    /**
     * Lets {@code grantee} post to connections of this stage, and nothing else of the management API
     * (not GET or DELETE), and acknowledges on {@code policyHolder} (the grantee's role) the
     * connection-id wildcard that this needs. The resource form is
     * {@code arn:aws:execute-api:region:account:api-id/stage/POST/@connections/*} (API Gateway
     * Developer Guide, "Use @connections commands in your backend service").
     */
    public void grantPostToConnections(IGrantable grantee, IConstruct policyHolder) {
        Stack stack = Stack.of(this);
        String connections = stack.formatArn(ArnComponents.builder()
                .service("execute-api")
                .resource(api.getApiId())
                .resourceName(stage.getStageName() + "/POST/@connections/*")
                .build());
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("execute-api:ManageConnections"))
                .resourceArns(List.of(connections))
                .build());
        String apiLogicalId = (String) stack.resolve(stack.getLogicalId((CfnElement) api.getNode().getDefaultChild()));
        Acknowledge.finding(policyHolder, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:"
                + "<AWS::Region>:<AWS::AccountId>:<" + apiLogicalId + ">/" + stage.getStageName()
                + "/POST/@connections/*]", "Connection ids exist only at run time; the wildcard covers posts to"
                + " the connections of this one stage of this one API.");
    }

    /** The API's id: the {@code ApiId} dimension of its CloudWatch metrics. */
    public String apiId() {
        return api.getApiId();
    }

    /** {@code wss://} URL clients connect to. */
    public String url() {
        return stage.getUrl();
    }

    /** {@code https://} base URL of the {@code @connections} management API. */
    public String callbackUrl() {
        return stage.getCallbackUrl();
    }
}
