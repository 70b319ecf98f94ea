package dev.edgewire.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The account's IoT data-ATS endpoint host name, looked up at deploy time with
 * {@code iot:DescribeEndpoint} (it is per account and region, and CloudFormation has no
 * attribute for it).
 */
public final class IotDataEndpoint extends Construct {

    private static final String ENDPOINT_ADDRESS = "endpointAddress";

    private final AwsCustomResource lookup;

    public IotDataEndpoint(Construct scope, String id) {
        super(scope, id);
        AwsSdkCall describeEndpoint = AwsSdkCall.builder()
                .service("IoT")
                .action("describeEndpoint")
                .parameters(Map.of("endpointType", "iot:Data-ATS"))
                .physicalResourceId(PhysicalResourceId.fromResponse(ENDPOINT_ADDRESS))
                .build();
        LogGroup logGroup = LogGroup.Builder.create(this, "Logs")
                .retention(HandlerFunction.LOG_RETENTION)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        // Our own role for the provider function, so it gets log writing on its log group only
        // instead of the AWS managed basic execution policy.
        Role role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Looks up the IoT data-ATS endpoint during deployment")
                .build();
        logGroup.grantWrite(role);
        lookup = AwsCustomResource.Builder.create(this, "Lookup")
                .onCreate(describeEndpoint)
                .onUpdate(describeEndpoint)
                // iot:DescribeEndpoint has no resource-level permissions: "*" is the only resource it takes.
                .policy(AwsCustomResourcePolicy.fromStatements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("iot:DescribeEndpoint"))
                        .resources(List.of("*"))
                        .build())))
                // The SDK in the Lambda runtime has DescribeEndpoint; downloading another needs network.
                .installLatestAwsSdk(false)
                .logGroup(logGroup)
                .role(role)
                .build();
        Acknowledge.finding(lookup, "AwsSolutions-IAM5[Resource::*]", "iot:DescribeEndpoint has no"
                + " resource-level permissions (Service Authorization Reference: resource types none), so"
                + " \"*\" is the only resource it accepts; the action only reads the account's endpoint address.");
    }

    /** The host name, for example {@code abc123-ats.iot.eu-west-1.amazonaws.com}. */
    public String address() {
        return lookup.getResponseField(ENDPOINT_ADDRESS);
    }
}
