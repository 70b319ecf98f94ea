package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import java.time.Clock;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(DynamoDbExtension.class)
class BroadcasterIT {

    private CloudStandIn connectionsApi;
    private ApiGatewayManagementApiClient managementApi;
    private String table;
    private DynamoDbClient dynamoDb;

    @BeforeEach
    void start(Endpoint endpoint, DynamoDbClient dynamoDb) throws Exception {
        this.dynamoDb = dynamoDb;
        table = endpoint.createConnectionTable(dynamoDb);
        connectionsApi = new CloudStandIn();
        managementApi = ApiGatewayManagementApiClient.builder()
                .endpointOverride(connectionsApi.callbackUrl())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterEach
    void stop() {
        managementApi.close();
        connectionsApi.close();
        dynamoDb.deleteTable(b -> b.tableName(table));
    }

    @ParameterizedTest(name = "{0} scan segment(s)")
    @ValueSource(ints = {1, 3})
    void everyLiveConnectionGetsTheMessage_everyGoneOneIsRemoved_andNothingElse(int segments) {
        var connections = new ConnectionRepository(dynamoDb, table, Clock.systemUTC(), segments);
        List<String> live = IntStream.range(0, 60).mapToObj(i -> "live-" + i + "=").toList();
        List<String> gone = IntStream.range(0, 15).mapToObj(i -> "gone-" + i + "=").toList();
        live.forEach(id -> connections.save(id, "198.51.100.1"));
        gone.forEach(id -> connections.save(id, "198.51.100.2"));
        gone.forEach(connectionsApi::markGone);

        BroadcastResult result = new Broadcaster(managementApi, connections, 8).toAll("{\"type\":\"message\",\"message\":\"hi\"}");

        assertThat(result.delivered()).isEqualTo(60);
        assertThat(result.gone()).isEqualTo(15);
        assertThat(result.failed()).isZero();
        assertThat(connectionsApi.postsById()).containsOnlyKeys(live);
        assertThat(connectionsApi.postsById().values())
                .allSatisfy(bodies -> assertThat(bodies).containsExactly("{\"type\":\"message\",\"message\":\"hi\"}"));
        assertThat(connections.connectionIds()).containsExactlyInAnyOrderElementsOf(live);
        assertThat(connectionsApi.peakInFlight()).isLessThanOrEqualTo(8);
    }

    @org.junit.jupiter.api.Test
    void signedPostsWithoutTheGeneratedClient_reachEveryLiveConnection_andRemoveTheGoneOnes() {
        var credentials = AwsBasicCredentials.create("local", "local");
        connectionsApi.verifySignatures(credentials);
        var connections = new ConnectionRepository(dynamoDb, table, Clock.systemUTC(), 1);
        List<String> live = IntStream.range(0, 40).mapToObj(i -> "live+" + i + "/=").toList();
        live.forEach(id -> connections.save(id, "198.51.100.1"));
        connections.save("gone=", "198.51.100.2");
        connectionsApi.markGone("gone=");
        try (var http = UrlConnectionHttpClient.create()) {
            var poster = new SignedConnectionPoster(http, StaticCredentialsProvider.create(credentials), Region.US_EAST_1,
                    connectionsApi.callbackUrl());

            BroadcastResult result = new Broadcaster(poster, connections, 8).toAll("{\"type\":\"message\",\"message\":\"hi\"}");

            assertThat(result.delivered()).isEqualTo(40);
            assertThat(result.gone()).isEqualTo(1);
            assertThat(result.failed()).isZero();
        }
        assertThat(connectionsApi.verifiedSignatures()).isEqualTo(41);
        assertThat(connectionsApi.postsById()).containsOnlyKeys(live);
        assertThat(connections.connectionIds()).containsExactlyInAnyOrderElementsOf(live);
    }
}
