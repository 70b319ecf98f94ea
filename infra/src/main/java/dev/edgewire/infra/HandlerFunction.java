package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.CfnFunction;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * One handler of {@link Topology.Function} as a Lambda function: java21 on arm64 (Graviton is
 * about 20% cheaper per GB-second), SnapStart on published versions so cold starts restore a
 * snapshot instead of starting a JVM and building SDK clients, and an alias that callers
 * (routes, authorizer, topic rules) invoke, so every deployment publishes a new snapshotted
 * version and moves the alias to it.
 *
 * <p>The function gets its own role whose only statements to begin with are writing to its own log
 * group and sending traces to X-Ray (active tracing, every function); everything else is granted by
 * the stack that knows what the handler needs.
 */
public final class HandlerFunction extends Construct {

    /** Name of the alias every caller invokes. */
    public static final String ALIAS_NAME = "live";
    static final RetentionDays LOG_RETENTION = RetentionDays.ONE_MONTH;
    /** Lambda samples requests and sends their traces to X-Ray itself. */
    static final String TRACING_MODE = "Active";

    /**
     * @param function which handler
     * @param code the jar holding every handler
     * @param memoryMb memory, which on Lambda also sets the CPU share
     * @param timeout how long one invocation may run
     * @param environment the handler's environment (names from {@link Topology.Env})
     * @param reservedConcurrency executions kept for this function alone (and its ceiling), or empty for none
     */
    public record Props(Topology.Function function, Code code, int memoryMb, Duration timeout,
                        Map<String, String> environment, OptionalInt reservedConcurrency) {
    }

    /**
     * What Lambda's active tracing needs of the role: sending segments and telemetry to X-Ray. Neither
     * action takes a resource (Service Authorization Reference, "Actions defined by AWS X-Ray").
     */
    static final List<String> TRACING_ACTIONS = List.of("xray:PutTelemetryRecords", "xray:PutTraceSegments");

    private final Function function;
    private final Alias alias;
    private final Role role;

    public HandlerFunction(Construct scope, String id, Props props) {
        super(scope, id);
        LogGroup logGroup = LogGroup.Builder.create(this, "Logs")
                .retention(LOG_RETENTION)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Runs the " + props.function().id() + " handler")
                .build();
        logGroup.grantWrite(role);
        // X-Ray's actions in a policy of their own: acknowledging their Resource "*" in the role's
        // default policy would also hide any other "*" granted there later.
        Policy tracing = Policy.Builder.create(this, "TracingPolicy")
                .statements(List.of(PolicyStatement.Builder.create()
                        .actions(TRACING_ACTIONS)
                        .resources(List.of("*"))
                        .build()))
                .roles(List.of(role))
                .build();
        Acknowledge.finding(tracing, "AwsSolutions-IAM5[Resource::*]", "X-Ray's PutTraceSegments and"
                + " PutTelemetryRecords take no resource; this policy holds those two actions and nothing else.");
        Function.Builder builder = Function.Builder.create(this, "Function")
                .description(props.function().handlerClass())
                .runtime(Runtime.JAVA_21)
                .architecture(props.function().architecture() == Topology.Architecture.ARM_64
                        ? Architecture.ARM_64 : Architecture.X86_64)
                .handler(props.function().handler())
                .code(props.code())
                .memorySize(props.memoryMb())
                .timeout(props.timeout())
                .environment(props.environment())
                .role(role)
                .logGroup(logGroup)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
        props.reservedConcurrency().ifPresent(builder::reservedConcurrentExecutions);
        function = builder.build();
        // Active tracing, set on the function itself: CDK's tracing option would put the X-Ray
        // statement in the role's default policy. Lambda checks the role when tracing is turned on.
        ((CfnFunction) function.getNode().getDefaultChild()).setTracingConfig(
                CfnFunction.TracingConfigProperty.builder().mode(TRACING_MODE).build());
        function.getNode().addDependency(tracing);
        Acknowledge.finding(function, "AwsSolutions-L1", "The handlers are compiled for Java 21 (the"
                + " project's release, supported with SnapStart); the runtime moves when the project's release does.");
        // CDK warns that SnapStart applies to published versions only: the alias below publishes one.
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "Every deployment publishes a version (currentVersion) and the alias callers invoke points to it.");
        alias = Alias.Builder.create(this, "Alias")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                .build();
    }

    /** What callers invoke, and what grants go to (it carries the function's role). */
    public IFunction alias() {
        return alias;
    }

    public Function function() {
        return function;
    }

    /** The function's execution role. */
    public Role role() {
        return role;
    }
}
