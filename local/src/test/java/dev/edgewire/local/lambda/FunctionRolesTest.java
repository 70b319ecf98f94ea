package dev.edgewire.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import dev.edgewire.wiring.CloudServices;
import dev.edgewire.contract.Topology.Function;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

class FunctionRolesTest {

    private final DynamoDbClient store = mock(DynamoDbClient.class);
    private final IotDataPlaneClient iot = mock(IotDataPlaneClient.class);
    private final FunctionRoles.Shared shared = new FunctionRoles.Shared(Region.US_EAST_1,
            AnonymousCredentialsProvider.create(), store, "connections", URI.create("http://127.0.0.1:1/demo"), iot,
            "key".getBytes(), 4, Duration.ofSeconds(1), (payload, ids, context) -> { });

    @Test
    void connect_maySaveConnections_butNotDeleteThem() {
        CloudServices connect = FunctionRoles.services(Function.CONNECT, shared);

        connect.connections().save("c1", "127.0.0.1");
        assertThatThrownBy(() -> connect.connections().delete("c1"))
                .isInstanceOf(AwsServiceException.class)
                .hasMessageContaining("not authorized to perform: dynamodb:DeleteItem")
                .satisfies(e -> assertThat(((AwsServiceException) e).awsErrorDetails().errorCode())
                        .isEqualTo("AccessDeniedException"));

        verify(store).putItem(any(PutItemRequest.class));
        verify(store, never()).deleteItem(any(DeleteItemRequest.class));
    }

    @Test
    void aScanIsTheScanAction_whetherPagedOrNot() {
        CloudServices disconnect = FunctionRoles.services(Function.DISCONNECT, shared);

        assertThatThrownBy(() -> disconnect.connections().connectionIds())
                .hasMessageContaining("not authorized to perform: dynamodb:Scan");
        assertThat(FunctionRoles.operation("scanPaginator")).isEqualTo("Scan");
        assertThat(FunctionRoles.operation("putItem")).isEqualTo("PutItem");
    }

    @Test
    void aFunctionWithoutANeed_isNotGivenItsSetting() {
        CloudServices authorizer = FunctionRoles.services(Function.AUTHORIZER, shared);
        CloudServices connect = FunctionRoles.services(Function.CONNECT, shared);

        assertThat(authorizer.tokenKey().get()).isEqualTo("key".getBytes());
        assertThatThrownBy(authorizer::connections).hasMessageContaining("CONNECTIONS_TABLE");
        assertThatThrownBy(() -> connect.tokenKey().get()).hasMessageContaining("TOKEN_SECRET_ARN");
        assertThatThrownBy(connect::poster).hasMessageContaining("CALLBACK_URL");
        assertThatThrownBy(connect::devicePublisher).hasMessageContaining("IOT_DATA_ENDPOINT");
    }

    @Test
    void onlyFunctionsThatNeedIt_mayContinueABroadcast() {
        assertThatThrownBy(() -> FunctionRoles.services(Function.DEFAULT, shared).continuation()
                .handOver("{}", java.util.List.of("c1"), null))
                .hasMessageContaining("lambda:InvokeFunction");
        FunctionRoles.services(Function.SEND_MESSAGE, shared).continuation().handOver("{}", java.util.List.of("c1"), null);
    }

    @Test
    void sendMessage_mayPublishToDevices() {
        FunctionRoles.services(Function.SEND_MESSAGE, shared).devicePublisher().publishToAll("{}");

        verify(iot).publish(any(software.amazon.awssdk.services.iotdataplane.model.PublishRequest.class));
    }
}
