package dev.edgewire.infra;

import java.util.List;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.iot.CfnLogging;
import software.constructs.Construct;

/**
 * IoT Core's own logs (connections refused, publishes denied by the policy, rule actions that
 * failed) in CloudWatch Logs: the account's default log level and a role IoT assumes to write them
 * (AWS IoT Developer Guide, "Configure AWS IoT logging": logging role and policy, log levels).
 *
 * <p>{@value #DEFAULT_LEVEL} by default: IoT logs only what failed, so a healthy fleet costs nothing
 * to log; {@code INFO} and {@code DEBUG} write a line for every connection and message, which at CloudWatch
 * Logs' ingestion price grows with the traffic. Raise it for a while with
 * {@code --context iotLogLevel=INFO}. The setting is one per account and region; an account whose
 * IoT logging is managed elsewhere deploys with {@code --context iotLogLevel=none}.
 *
 * <p>The role may create and write only the log group IoT's logs go to, {@value #LOG_GROUP}; AWS's
 * example policy (and its managed policy AWSIoTLogging) allows that on every log group, plus
 * metric filters and retention IoT does not need to write logs.
 */
public final class IotLogging extends Construct {

    /** The log level unless the context names another. */
    public static final String DEFAULT_LEVEL = "ERROR";
    /** What AWS::IoT::Logging accepts as DefaultLogLevel. */
    public static final List<String> LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "DISABLED");
    /** The log group IoT Core writes its logs to (its name is IoT's, not ours). */
    public static final String LOG_GROUP = "AWSIotLogsV2";
    static final List<String> ACTIONS = List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents");

    /** @param level the default log level, one of {@link #LEVELS} */
    public record Props(String level) {
        public Props {
            if (!LEVELS.contains(level)) {
                throw new IllegalArgumentException("not an IoT log level: " + level);
            }
        }
    }

    public IotLogging(Construct scope, String id, Props props) {
        super(scope, id);
        Stack stack = Stack.of(this);
        Role role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("iot.amazonaws.com"))
                .description("Lets AWS IoT Core write its logs to the " + LOG_GROUP + " log group")
                .build();
        String logGroupStreams = stack.formatArn(ArnComponents.builder()
                .service("logs")
                .resource("log-group")
                .resourceName(LOG_GROUP + ":*")
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(ACTIONS)
                .resources(List.of(logGroupStreams))
                .build());
        Acknowledge.finding(role, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:"
                + "<AWS::AccountId>:log-group:" + LOG_GROUP + ":*]", "IoT Core names its log streams at run time;"
                + " the wildcard covers the streams of IoT's own log group and nothing else.");
        CfnLogging logging = CfnLogging.Builder.create(this, "Logging")
                .accountId(stack.getAccount())
                .roleArn(role.getRoleArn())
                .defaultLogLevel(props.level())
                .build();
        // IoT checks that it can assume the role and write with it when the level is set.
        logging.getNode().addDependency(role);
    }
}
