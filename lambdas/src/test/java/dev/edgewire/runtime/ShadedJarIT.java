package dev.edgewire.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.standins.lambda.ColdStartChild;
import dev.edgewire.standins.lambda.LambdaJvm;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.DynamoDbExtension.Endpoint;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The deployable artifact as Lambda runs it: each handler in a fresh JVM from the shaded jar, built
 * through its no-argument constructor from environment variables, serving one real event against
 * local endpoints; its log lines are JSON with the request id.
 */
@ExtendWith(DynamoDbExtension.class)
class ShadedJarIT {

    private static final String SENDER = "Cl4bbeTTjoECGfQ=";
    private static final String REQUEST_ID_FIELD = "\"function_request_id\":\"c6af9ac6-7b61-11e6-9a41-93e812345678\"";

    private final LambdaJvm lambda = LambdaJvm.ofShadedJar(Path.of("target"));
    private CloudStandIn api;
    private DynamoDbClient dynamoDb;
    private String table;
    private ConnectionRepository connections;
    private Map<String, String> env;

    @BeforeEach
    void start(Endpoint endpoint, DynamoDbClient dynamoDb) throws Exception {
        assumeTrue(endpoint.uri().getHost().equals("127.0.0.1"), "the child JVMs use local dummy credentials");
        this.dynamoDb = dynamoDb;
        table = endpoint.createConnectionTable(dynamoDb);
        connections = new ConnectionRepository(dynamoDb, table, Clock.systemUTC(), 1);
        api = new CloudStandIn();
        api.serveSecret(ColdStartChild.TOKEN_KEY);
        // The handlers sign with the environment's credentials; the server checks every signature, as AWS does.
        api.verifySignatures(software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local"));
        env = new java.util.HashMap<>(LambdaJvm.lambdaEnvironment(endpoint.uri(), api, table));
        env.put(dev.edgewire.contract.Topology.Env.STAGE, "shaded-jar-stage");
        env.put(dev.edgewire.contract.Topology.Env.POWERTOOLS_METRICS_NAMESPACE, "edgewire-shaded");
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
            dynamoDb.deleteTable(b -> b.tableName(table));
        }
    }

    @Test
    void connectThenDisconnect_storeAndRemoveTheRow() throws Exception {
        LambdaJvm.Run connect = lambda.run("CONNECT", env);

        assertThat(Json.MAPPER.readTree(connect.responseJson()).get("statusCode").asInt()).isEqualTo(200);
        assertThat(connections.connectionIds()).containsExactly(SENDER);
        assertThat(connect.output()).contains(REQUEST_ID_FIELD).contains("\"level\":\"INFO\"");

        lambda.run("DISCONNECT", env);
        assertThat(connections.connectionIds()).isEmpty();
    }

    @Test
    void sendMessage_queuesTheMessage_andPublishesToGeneralOutbound() {
        connections.save(SENDER, null);
        connections.save("other=", null);

        lambda.run("SEND_MESSAGE", env);

        assertThat(api.postsById()).isEmpty();
        assertThat(api.queued()).singleElement().satisfies(q -> assertThat(q.body()).startsWith("{\"type\":\"message\""));
        assertThat(api.verifiedSignatures()).isGreaterThanOrEqualTo(2); // the queue send and the IoT publish
        assertThat(api.publishes()).singleElement().satisfies(p -> assertThat(p.topic()).isEqualTo("general/outbound"));
    }

    @Test
    void defaultRoute_answersTheSenderOnly() {
        connections.save("other=", null);

        lambda.run("DEFAULT", env);

        assertThat(api.postsById()).containsOnlyKeys(SENDER);
    }

    @Test
    void authorizer_readsTheKeyFromSecretsManager_andAllowsAFreshToken() throws Exception {
        LambdaJvm.Run run = lambda.run("AUTHORIZER", env);

        JsonNode policy = Json.MAPPER.readTree(run.responseJson());
        assertThat(policy.get("principalId").asText()).isEqualTo("bench");
        assertThat(policy.at("/policyDocument/Statement/0/Effect").asText()).isEqualTo("Allow");
        // The current key and the previous one, which this secret, never rotated, does not have.
        assertThat(api.secretRequests()).extracting(CloudStandIn.SecretRequest::versionStage)
                .containsExactly("AWSCURRENT", "AWSPREVIOUS");
        // Its metrics document, written by Powertools from this jar, with the stage and namespace of the environment.
        JsonNode metrics = metricsDocument(run.output());
        assertThat(metrics.get(dev.edgewire.contract.Metrics.AUTHORIZER_ALLOW).asInt()).isEqualTo(1);
        assertThat(metrics.get("Stage").asText()).isEqualTo("shaded-jar-stage");
        assertThat(metrics.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("edgewire-shaded");
        assertThat(metrics.at("/_aws/CloudWatchMetrics/0/Dimensions")).isEqualTo(Json.MAPPER.readTree("[[\"Stage\"]]"));
    }

    /** The one metrics document (a JSON line with {@code _aws}) among a run's output lines. */
    private static JsonNode metricsDocument(String output) throws Exception {
        java.util.List<String> documents = output.lines().filter(line -> line.startsWith("{\"_aws\"")).toList();
        assertThat(documents).hasSize(1);
        return Json.MAPPER.readTree(documents.getFirst());
    }

    @Test
    void fanOut_sendsTheReadingToEveryConnection() {
        connections.save("a=", null);
        connections.save("b=", null);

        lambda.run("FAN_OUT", env);

        assertThat(api.postsById()).containsOnlyKeys("a=", "b=");
        assertThat(api.posts().get(0).body()).startsWith("{\"type\":\"telemetry\"");
    }

    @Test
    void fanOut_writesOneMetricsDocument_withItsReadingsAndPosts() throws Exception {
        connections.save("a=", null);
        connections.save("b=", null);

        JsonNode metrics = metricsDocument(lambda.run("FAN_OUT", env).output());

        assertThat(metrics.get(dev.edgewire.contract.Metrics.READINGS_IN).asInt()).isEqualTo(1);
        assertThat(metrics.get(dev.edgewire.contract.Metrics.FRAMES_DELIVERED).asInt()).isEqualTo(2);
        assertThat(metrics.get(dev.edgewire.contract.Metrics.READINGS_DELIVERED).asInt()).isEqualTo(2);
        assertThat(metrics.get(dev.edgewire.contract.Metrics.CONNECTIONS).asInt()).isEqualTo(2);
        assertThat(metrics.has(dev.edgewire.contract.Metrics.FAN_OUT_LAG)).isTrue();
    }
}
