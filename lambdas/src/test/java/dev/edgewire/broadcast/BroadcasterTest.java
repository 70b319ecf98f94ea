package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.testing.Dynamo;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.ApiGatewayManagementApiException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;

class BroadcasterTest {

    private final ApiGatewayManagementApiClient api = mock(ApiGatewayManagementApiClient.class);

    private static ConnectionRepository repository(DynamoDbClient dynamoDb) {
        return new ConnectionRepository(dynamoDb, "connections", Clock.systemUTC(), 1);
    }

    @Test
    void toAll_postsThePayloadToEveryStoredConnection() {
        DynamoDbClient dynamoDb = Dynamo.withConnections("a", "b", "c");
        var broadcaster = new Broadcaster(api, repository(dynamoDb), 8);

        BroadcastResult result = broadcaster.toAll("{\"type\":\"message\"}");

        ArgumentCaptor<PostToConnectionRequest> posts = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api, times(3)).postToConnection(posts.capture());
        assertThat(posts.getAllValues()).extracting(PostToConnectionRequest::connectionId)
                .containsExactlyInAnyOrder("a", "b", "c");
        assertThat(posts.getAllValues()).allSatisfy(post ->
                assertThat(post.data().asUtf8String()).isEqualTo("{\"type\":\"message\"}"));
        assertThat(result.delivered()).isEqualTo(3);
        assertThat(result.gone()).isZero();
        assertThat(result.failed()).isZero();
        verify(dynamoDb, never()).deleteItem(any(DeleteItemRequest.class));
    }

    @Test
    void goneConnection_isDeleted_thatOneAndNoOther_andOthersStillGetThePayload() {
        DynamoDbClient dynamoDb = Dynamo.withConnections("live-1", "gone-1", "live-2");
        when(api.postToConnection(any(PostToConnectionRequest.class))).thenAnswer(call -> {
            PostToConnectionRequest post = call.getArgument(0);
            if (post.connectionId().equals("gone-1")) {
                throw GoneException.builder().statusCode(410).message("gone").build();
            }
            return PostToConnectionResponse.builder().build();
        });
        var broadcaster = new Broadcaster(api, repository(dynamoDb), 8);

        BroadcastResult result = broadcaster.toAll("{}");

        ArgumentCaptor<DeleteItemRequest> deletes = ArgumentCaptor.forClass(DeleteItemRequest.class);
        verify(dynamoDb, times(1)).deleteItem(deletes.capture());
        assertThat(deletes.getValue().key()).isEqualTo(Dynamo.key("gone-1"));
        assertThat(result.delivered()).isEqualTo(2);
        assertThat(result.gone()).isEqualTo(1);
        assertThat(result.goneConnectionIds()).containsExactly("gone-1");
    }

    @Test
    void otherFailures_areCounted_andDeleteNothing_andDoNotStopTheRest() {
        DynamoDbClient dynamoDb = Dynamo.withConnections("ok-1", "broken", "ok-2");
        when(api.postToConnection(any(PostToConnectionRequest.class))).thenAnswer(call -> {
            PostToConnectionRequest post = call.getArgument(0);
            if (post.connectionId().equals("broken")) {
                throw ApiGatewayManagementApiException.builder().statusCode(500).message("internal").build();
            }
            return PostToConnectionResponse.builder().build();
        });
        var broadcaster = new Broadcaster(api, repository(dynamoDb), 8);

        BroadcastResult result = broadcaster.toAll("{}");

        assertThat(result.delivered()).isEqualTo(2);
        assertThat(result.failed()).isEqualTo(1);
        assertThat(result.gone()).isZero();
        verify(dynamoDb, never()).deleteItem(any(DeleteItemRequest.class));
    }

    @Test
    void a410WithoutTheGoneErrorType_isTreatedAsGoneToo() {
        DynamoDbClient dynamoDb = Dynamo.withConnections("gone-1");
        when(api.postToConnection(any(PostToConnectionRequest.class)))
                .thenThrow(ApiGatewayManagementApiException.builder().statusCode(410).message("Gone").build());

        BroadcastResult result = new Broadcaster(api, repository(dynamoDb), 8).toAll("{}");

        assertThat(result.gone()).isEqualTo(1);
        ArgumentCaptor<DeleteItemRequest> delete = ArgumentCaptor.forClass(DeleteItemRequest.class);
        verify(dynamoDb).deleteItem(delete.capture());
        assertThat(delete.getValue().key()).isEqualTo(Dynamo.key("gone-1"));
    }

    @Test
    void goneConnection_stillCountsAsGone_whenItsDeleteFails() {
        DynamoDbClient dynamoDb = Dynamo.withConnections("gone-1");
        when(dynamoDb.deleteItem(any(DeleteItemRequest.class))).thenThrow(new IllegalStateException("table unavailable"));
        when(api.postToConnection(any(PostToConnectionRequest.class)))
                .thenThrow(GoneException.builder().statusCode(410).message("gone").build());

        BroadcastResult result = new Broadcaster(api, repository(dynamoDb), 8).toAll("{}");

        assertThat(result.gone()).isEqualTo(1);
        assertThat(result.failed()).isZero();
    }

    @Test
    void postsRunConcurrently_butNeverMoreThanTheBoundInFlight() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        when(api.postToConnection(any(PostToConnectionRequest.class))).thenAnswer(call -> {
            int now = inFlight.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            Thread.sleep(10);
            inFlight.decrementAndGet();
            return PostToConnectionResponse.builder().build();
        });
        List<String> ids = IntStream.range(0, 60).mapToObj(i -> "c" + i).toList();
        var broadcaster = new Broadcaster(api, repository(mock(DynamoDbClient.class)), 5);

        BroadcastResult result = broadcaster.toEach(ids, "{}");

        assertThat(result.delivered()).isEqualTo(60);
        assertThat(peak.get()).isLessThanOrEqualTo(5).isGreaterThan(1);
    }

    @Test
    void sendTo_postsToThatConnectionOnly() {
        var broadcaster = new Broadcaster(api, repository(mock(DynamoDbClient.class)), 8);

        assertThat(broadcaster.sendTo("sender", "{\"type\":\"error\"}")).isEqualTo(Delivery.DELIVERED);

        ArgumentCaptor<PostToConnectionRequest> post = ArgumentCaptor.forClass(PostToConnectionRequest.class);
        verify(api).postToConnection(post.capture());
        assertThat(post.getValue().connectionId()).isEqualTo("sender");
        assertThat(post.getValue().data().asUtf8String()).isEqualTo("{\"type\":\"error\"}");
    }

    @Test
    void broadcast_stopsStartingPostsOnceTheDeadlinePasses_andReturnsTheRestInOrder() {
        DynamoDbClient dynamoDb = Dynamo.withConnections("c1", "c2", "c3", "c4", "c5");
        AtomicInteger checks = new AtomicInteger();
        // one post in flight at a time; the deadline passes after the first two connections were started
        var broadcaster = new Broadcaster(api, repository(dynamoDb), 1);

        BroadcastResult result = broadcaster.toEach(List.of("c1", "c2", "c3", "c4", "c5"), "{}",
                () -> checks.incrementAndGet() > 4);

        assertThat(result.delivered()).isEqualTo(2);
        assertThat(result.unsent()).containsExactly("c3", "c4", "c5");
        verify(api, times(2)).postToConnection(any(PostToConnectionRequest.class));
    }
}
