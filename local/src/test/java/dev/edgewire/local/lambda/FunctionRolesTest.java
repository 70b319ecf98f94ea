package dev.edgewire.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

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
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import dev.edgewire.queue.ReadingsQueueClient;

class FunctionRolesTest {

    private final DynamoDbClient store = mock(DynamoDbClient.class);
    private final IotDataPlaneClient iot = mock(IotDataPlaneClient.class);
    private final SqsClient sqs = mock(SqsClient.class);
    private static final String QUEUE_URL = "http://127.0.0.1:1/000000000000/edgewire-readings";
    private final java.util.List<String> documents = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final FunctionRoles.Shared shared = new FunctionRoles.Shared(Region.US_EAST_1,
            AnonymousCredentialsProvider.create(), store, "connections", URI.create("http://127.0.0.1:1/demo"), iot,
            "key".getBytes(), 4, Duration.ofSeconds(1), (payload, ids, attempt, context) -> { },
            (shard, context) -> new dev.edgewire.broadcast.ShardOutcome(shard.connectionIds().size(), java.util.List.of(), 0),
            () -> sqs, () -> QUEUE_URL, 7, "demo", documents::add, 10);

    @Test
    void everyFunction_writesItsMetricsWithTheStage_toTheSharedListener() throws Exception {
        for (Function function : Function.values()) {
            FunctionRoles.services(function, shared).metrics().start().count("Probe", 1).flush();
        }

        assertThat(documents).hasSize(Function.values().length).allSatisfy(document -> {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(document);
            assertThat(json.get("Stage").asText()).isEqualTo("demo");
            assertThat(json.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo(dev.edgewire.contract.Metrics.NAMESPACE);
        });
    }

    @Test
    void fanOut_splitsItsAudienceIntoShardsOfTheSharedSize() {
        assertThat(FunctionRoles.services(Function.FAN_OUT, shared).sharding().shardSize()).isEqualTo(7);
    }

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
                .handOver("{}", java.util.List.of("c1"), 1, null))
                .hasMessageContaining("lambda:InvokeFunction");
        assertThatThrownBy(() -> FunctionRoles.services(Function.SEND_MESSAGE, shared).continuation()
                .handOver("{}", java.util.List.of("c1"), 1, null))
                .hasMessageContaining("lambda:InvokeFunction");
        FunctionRoles.services(Function.FAN_OUT, shared).continuation().handOver("{}", java.util.List.of("c1"), 1, null);
        var shard = new dev.edgewire.broadcast.ShardEvent(java.util.List.of("{}"), java.util.List.of("c1", "c2"));
        assertThat(FunctionRoles.services(Function.FAN_OUT, shared).sharding().workers().deliver(shard, null).delivered())
                .isEqualTo(2);
        assertThatThrownBy(() -> FunctionRoles.services(Function.DEFAULT, shared).sharding().workers().deliver(shard, null))
                .hasMessageContaining("lambda:InvokeFunction");
    }

    @Test
    void sendMessage_maySendToTheReadingsQueue_butNotReceive_andTheFanOutTheOtherWayRound() {
        when(sqs.sendMessage(any(SendMessageRequest.class))).thenReturn(SendMessageResponse.builder().messageId("m").build());
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class))).thenReturn(ReceiveMessageResponse.builder().build());
        when(sqs.deleteMessageBatch(any(DeleteMessageBatchRequest.class))).thenReturn(DeleteMessageBatchResponse.builder().build());
        var sendMessage = FunctionRoles.services(Function.SEND_MESSAGE, shared).readingsQueue();
        var fanOut = FunctionRoles.services(Function.FAN_OUT, shared).readingsQueue();
        var received = new ReadingsQueueClient.Received("m", "{}", null, "r");

        assertThat(sendMessage.send("{}", "message")).isEqualTo("m");
        assertThatThrownBy(() -> sendMessage.receiveNow(10)).hasMessageContaining("not authorized to perform: sqs:ReceiveMessage");
        assertThat(fanOut.receiveNow(10)).isEmpty();
        // DeleteMessageBatch is allowed by sqs:DeleteMessage, as IAM allows it.
        assertThat(fanOut.delete(java.util.List.of(received))).isZero();
        assertThatThrownBy(() -> fanOut.send("{}", "message")).hasMessageContaining("not authorized to perform: sqs:SendMessage");
        assertThat(FunctionRoles.operation("deleteMessageBatch")).isEqualTo("DeleteMessage");
        assertThatThrownBy(() -> FunctionRoles.services(Function.CONNECT, shared).readingsQueue().send("{}", "message"))
                .hasMessageContaining("READINGS_QUEUE_URL");
    }

    @Test
    void sendMessage_mayPublishToDevices() {
        FunctionRoles.services(Function.SEND_MESSAGE, shared).devicePublisher().publishToAll("{}");

        verify(iot).publish(any(software.amazon.awssdk.services.iotdataplane.model.PublishRequest.class));
    }
}
