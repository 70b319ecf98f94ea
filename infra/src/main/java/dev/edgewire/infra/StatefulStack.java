package dev.edgewire.infra;

import dev.edgewire.contract.Outputs;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * What holds state or identity: the connection table, the device's thing, certificate and IoT
 * policy, and the key that signs WebSocket tokens. Kept apart from the functions and API so those
 * can be replaced or torn down freely.
 */
public final class StatefulStack extends Stack {

    /**
     * @param thingName the IoT thing
     * @param certificateSigningRequest the device's CSR, PEM
     */
    public record Props(String thingName, String certificateSigningRequest) {
    }

    private final ConnectionTable connectionTable;
    private final DeviceIdentity device;
    private final Secret tokenSecret;

    public StatefulStack(Construct scope, String id, StackProps stackProps, Props props) {
        super(scope, id, stackProps);
        // The table holds only live connection ids, which expire within hours: nothing worth
        // keeping after `cdk destroy`, and a retained table would keep costing and block a redeploy.
        connectionTable = new ConnectionTable(this, "Connections", new ConnectionTable.Props(RemovalPolicy.DESTROY));
        device = new DeviceIdentity(this, "Device",
                new DeviceIdentity.Props(props.thingName(), props.certificateSigningRequest()));
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

        CfnOutput.Builder.create(this, Outputs.THING_NAME).value(device.thingName())
                .description("IoT thing name; the device connects with it as MQTT client id").build();
        CfnOutput.Builder.create(this, Outputs.CERTIFICATE_ID).value(device.certificateId())
                .description("Device certificate: aws iot describe-certificate --certificate-id <id>").build();
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
