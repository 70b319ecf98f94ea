package dev.edgewire.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.EmfDocuments;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaContext;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(DynamoDbExtension.class)
class FanOutIT {

    private static final Duration TTL = Duration.ofMillis(500);

    private CloudStandIn server;
    private ApiGatewayManagementApiClient managementApi;
    private DynamoDbClient dynamoDb;
    private String table;
    private ConnectionRepository connections;
    private FanOutHandler handler;

    @BeforeEach
    void start(Endpoint endpoint, DynamoDbClient dynamoDb) throws Exception {
        this.dynamoDb = dynamoDb;
        table = endpoint.createConnectionTable(dynamoDb);
        server = new CloudStandIn();
        managementApi = ApiGatewayManagementApiClient.builder()
                .endpointOverride(server.callbackUrl())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        connections = new ConnectionRepository(dynamoDb, table, Clock.systemUTC(), 1);
        handler = new FanOutHandler(new ConnectionIdCache(connections, TTL, Clock.systemUTC()),
                new Broadcaster(managementApi, connections, 16), (payload, ids, attempt, context) -> {
                    throw new AssertionError("no broadcast here should run out of time");
                }, null, Coalescing.NONE, Sharding.NONE, new EmfDocuments().metrics());
    }

    @AfterEach
    void stop() {
        managementApi.close();
        server.close();
        dynamoDb.deleteTable(b -> b.tableName(table));
    }

    @Test
    void aConnectionMadeAfterTheLastRead_getsEveryReading_fannedOutATtlAfterItWasStored() throws Exception {
        connections.save("early", null);
        handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), new LambdaContext());
        connections.save("late", null);

        // Whether a reading inside the TTL reaches "late" depends on timing (the unit test pins that
        // down with a clock); the bound is that one a TTL after the store always does.
        Thread.sleep(TTL.toMillis());
        Map<String, Object> afterTtl = new HashMap<>(Events.ruleOutput("telemetry-rule-output.json"));
        afterTtl.put("seq", 43);
        handler.handleRequest(Events.readings(afterTtl), new LambdaContext());

        var byId = server.postsById();
        assertThat(byId.get("early")).hasSize(2);
        assertThat(byId.get("late")).singleElement().asString().contains("\"seq\":43");
    }

    @Test
    void goneConnection_isRemovedFromTheTable_andTheOthersKeepGettingReadings() {
        connections.save("live", null);
        connections.save("gone", null);
        server.markGone("gone");

        handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), new LambdaContext());
        handler.handleRequest(Events.readings(Events.ruleOutput("telemetry-rule-output.json")), new LambdaContext());

        assertThat(connections.connectionIds()).containsExactly("live");
        assertThat(server.postsById()).containsOnlyKeys("live");
        assertThat(server.postsById().get("live")).hasSize(2);
    }
}
