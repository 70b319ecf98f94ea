package dev.edgewire.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology.Function;
import dev.edgewire.contract.Topology.Route;
import dev.edgewire.contract.Topology.TopicRule;
import org.junit.jupiter.api.Test;

class TopologyTest {

    @Test
    void routes_coverTheRouteKeysOfTheWebSocketApi_once() {
        assertThat(Topology.ROUTES).extracting(Route::routeKey)
                .containsExactlyInAnyOrder("$connect", "$disconnect", "sendMessage", "subscribe", "$default");
    }

    @Test
    void onlyConnect_isBehindTheAuthorizer() {
        assertThat(Topology.ROUTES).filteredOn(Route::authorized).extracting(Route::routeKey)
                .containsExactly("$connect");
    }

    @Test
    void actions_areTheRoutesAClientCanName() {
        assertThat(Topology.actions()).containsExactly("sendMessage", "subscribe");
    }

    @Test
    void everyTopicRule_selectsFromItsOwnFilter() {
        assertThat(Topology.TOPIC_RULES).allSatisfy(rule ->
                assertThat(rule.sql()).endsWith("FROM '" + rule.topicFilter() + "'"));
        assertThat(Topology.TOPIC_RULES).extracting(TopicRule::topicFilter)
                .containsExactly("devices/+/telemetry", "general/inbound");
    }

    @Test
    void telemetryRule_takesTheDeviceIdFromTheSecondTopicLevel() {
        assertThat(Topology.TOPIC_RULES.get(0).sql()).contains("topic(2) AS deviceId");
    }

    @Test
    void generalInboundRule_namesTheDeviceByWhatAwsAuthenticated_overwritingThePayloadsClaim() {
        assertThat(Topology.TOPIC_RULES.get(1).sql())
                .startsWith("SELECT *, clientid() AS deviceId, principal() AS principal,");
    }

    @Test
    void everyFunction_isGivenTheVariablesOfItsNeeds_andTheContinuationTargetNotItsOwnArn() {
        assertThat(Function.CONNECT.environment()).containsExactly("CONNECTIONS_TABLE");
        assertThat(Function.AUTHORIZER.environment()).containsExactly("TOKEN_SECRET_ARN");
        assertThat(Function.SEND_MESSAGE.environment()).containsExactly("CALLBACK_URL", "COMMAND_TOPIC_TEMPLATE",
                "CONNECTIONS_TABLE", "IOT_DATA_ENDPOINT", "OUTBOUND_TOPIC", "READINGS_QUEUE_URL");
        // A message costs one queue send, whatever the audience: no Scan, no continuation; the sender's
        // rate is one UpdateItem on its own row.
        assertThat(Function.SEND_MESSAGE.actions()).containsExactly("dynamodb:DeleteItem", "dynamodb:UpdateItem",
                "execute-api:ManageConnections", "iot:Publish", "sqs:SendMessage");
        // The cap on connections per subject: a place taken on $connect, given back on $disconnect.
        assertThat(Function.CONNECT.actions()).containsExactly("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem");
        assertThat(Function.DISCONNECT.actions()).containsExactly("dynamodb:DeleteItem", "dynamodb:GetItem",
                "dynamodb:UpdateItem");
        assertThat(Function.FAN_OUT.environment()).containsExactly("CALLBACK_URL", "CONNECTIONS_TABLE", "READINGS_QUEUE_URL");
        assertThat(Function.FAN_OUT.actions()).containsExactly("dynamodb:DeleteItem", "dynamodb:Scan",
                "execute-api:ManageConnections", "lambda:InvokeFunction", "sqs:DeleteMessage",
                "sqs:GetQueueAttributes", "sqs:ReceiveMessage");
    }

    @Test
    void deviceTopics_areFilledInPerThing() {
        assertThat(Topology.Topics.DEVICE_PUBLISH)
                .map(t -> Topology.Topics.forThing(t, "thing-7"))
                .containsExactly("devices/thing-7/telemetry", "general/inbound");
        assertThat(Topology.Topics.DEVICE_SUBSCRIBE)
                .map(t -> Topology.Topics.forThing(t, "thing-7"))
                .containsExactly("devices/thing-7/commands", "general/outbound");
    }

    @Test
    void handlerString_isClassAndMethod() {
        assertThat(Function.CONNECT.handler()).isEqualTo("dev.edgewire.functions.Connect::handleRequest");
    }

    @Test
    void readingsQueue_coalescesSoThatAWatcherGetsAtMostFivePostsASecond() {
        // Each invocation covers at least COALESCE_FOR; at most MAX_CONCURRENCY run at once.
        double postsPerSecond = Topology.ReadingsQueue.MAX_CONCURRENCY
                / (Topology.ReadingsQueue.COALESCE_FOR.toNanos() / 1e9);
        assertThat(postsPerSecond).isLessThanOrEqualTo(Topology.ReadingsQueue.MAX_POSTS_PER_WATCHER_PER_SECOND);
        assertThat(Topology.ReadingsQueue.MAX_CONCURRENCY).isGreaterThanOrEqualTo(2); // Lambda's least
        assertThat(Topology.ReadingsQueue.MAX_COALESCED).isGreaterThan(Topology.ReadingsQueue.BATCH_SIZE);
    }

    @Test
    void readingsQueue_handsALoneReadingOverAtOnce_andOutlastsItsConsumersRetries() {
        assertThat(Topology.ReadingsQueue.MAX_BATCHING_WINDOW_SECONDS).isZero();
        // Without a batching window Lambda takes at most 10 messages a batch.
        assertThat(Topology.ReadingsQueue.BATCH_SIZE).isBetween(1, 10);
        assertThat(Topology.ReadingsQueue.visibilityTimeout().toSeconds())
                .isEqualTo(6L * Topology.ReadingsQueue.CONSUMER.timeoutSeconds());
        assertThat(Topology.ReadingsQueue.CONSUMER.needs(Topology.Need.CONSUME_READINGS)).isTrue();
    }
}
