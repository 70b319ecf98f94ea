package dev.edgewire.infra;

import dev.edgewire.contract.Outputs;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * What holds state or identity: the connection table, the devices' things, certificates and IoT
 * policy, and the key that signs WebSocket tokens. Kept apart from the functions and API so those
 * can be replaced or torn down freely.
 */
public final class StatefulStack extends Stack {

    /** @param devices one thing and certificate each; the first is the outputs' {@code ThingName} */
    public record Props(List<DeviceCsr> devices) {
    }

    private final ConnectionTable connectionTable;
    private final DeviceFleet fleet;
    private final Secret tokenSecret;

    public StatefulStack(Construct scope, String id, StackProps stackProps, Props props) {
        super(scope, id, stackProps);
        // The table holds only live connection ids, which expire within hours: nothing worth
        // keeping after `cdk destroy`, and a retained table would keep costing and block a redeploy.
        connectionTable = new ConnectionTable(this, "Connections", new ConnectionTable.Props(RemovalPolicy.DESTROY));
        fleet = new DeviceFleet(this, "Fleet", new DeviceFleet.Props(props.devices()));
        tokenSecret = Secret.Builder.create(this, "TokenKey")
                .description("HMAC key that signs the WebSocket tokens of the $connect authorizer")
                .generateSecretString(SecretStringGenerator.builder()
                        .passwordLength(64)
                        .excludePunctuation(true)
                        .build())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Acknowledge.finding(tokenSecret, "AwsSolutions-SMG4", "The key signs short-lived WebSocket tokens;"
                + " rotating it means minting new tokens, which a rotation function cannot do for the"
                + " clients. Rotate by hand (put-secret-value with a new random value) as the README says.");

        List<DeviceIdentity> devices = fleet.identities();
        DeviceIdentity first = devices.getFirst();
        CfnOutput.Builder.create(this, Outputs.THING_NAME).value(first.thingName())
                .description("IoT thing name (the first of ThingNames); the device connects with it as MQTT client id")
                .build();
        CfnOutput.Builder.create(this, Outputs.CERTIFICATE_ID).value(first.certificateId())
                .description("Its certificate: aws iot describe-certificate --certificate-id <id>").build();
        // One output per list, not per device: a template holds at most 200 outputs, and a list stays one jq away.
        CfnOutput.Builder.create(this, Outputs.THING_NAMES)
                .value(Fn.join(",", devices.stream().map(DeviceIdentity::thingName).toList()))
                .description("Every thing, comma-separated (one per CSR of csrDir, by name)").build();
        CfnOutput.Builder.create(this, Outputs.CERTIFICATE_IDS)
                .value(Fn.join(",", devices.stream().map(DeviceIdentity::certificateId).toList()))
                .description("The certificate id of each thing of ThingNames, in the same order").build();
        CfnOutput.Builder.create(this, Outputs.TABLE_NAME).value(connectionTable.table().getTableName())
                .description("DynamoDB table of open WebSocket connections").build();
        CfnOutput.Builder.create(this, Outputs.TOKEN_SECRET_ARN).value(tokenSecret.getSecretArn())
                .description("Secret holding the WebSocket token key; the device client mints tokens from it")
                .build();
    }

    public ITable connectionTable() {
        return connectionTable.table();
    }

    public ISecret tokenSecret() {
        return tokenSecret;
    }
}
