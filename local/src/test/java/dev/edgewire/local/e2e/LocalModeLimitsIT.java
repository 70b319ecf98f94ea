package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.local.websocket.WebSocketGateway;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** API Gateway's connection lifetime limits, shortened; its route throttles; and a clean stop of local mode. */
class LocalModeLimitsIT {

    @TempDir
    Path state;

    @Test
    void idleConnections_areClosed_andOldOnesToo_andStoppingLocalModeClosesTheRestWith1001() throws Exception {
        var limits = new WebSocketGateway.Limits(32 * 1024, 128 * 1024, Duration.ofSeconds(2), Duration.ofSeconds(6));
        LocalCloud cloud = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1")).withLimits(limits));
        URI stage = URI.create(cloud.outputs().get("WebSocketUrl") + "/demo?token=" + cloud.token());
        try {
            WsClient idle = WsClient.connect(stage);
            assertThat(idle.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1001);

            WsClient chatty = WsClient.connect(stage);
            long opened = System.nanoTime();
            while (!chatty.closeCode().isDone() && System.nanoTime() - opened < TimeUnit.SECONDS.toNanos(15)) {
                chatty.socket().sendText("{\"action\":\"sendMessage\",\"message\":\"still here\"}", true);
                Thread.sleep(500);
            }
            assertThat(chatty.closeCode().get(1, TimeUnit.SECONDS)).isEqualTo(1001);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(12));

            WsClient open = WsClient.connect(stage);
            open.send("{\"action\":\"sendMessage\",\"message\":\"who am i\"}");
            String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(open.next("who am i")).get("from").asText();
            cloud.close();
            assertThat(open.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1001);

            try (LocalCloud again = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                    .withThings(List.of("thing-1")))) {
                await().atMost(Duration.ofSeconds(5)).until(() -> !again.storeClient().getItem(b -> b
                        .tableName(LocalCloud.TABLE_NAME)
                        .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(id)))).hasItem());
            }
        } finally {
            cloud.close();
        }
    }

    @Test
    void sendMessagesOverTheRouteThrottle_areRefusedWith429BeforeTheFunction_andEveryOtherOneIsDelivered() throws Exception {
        Topology.Throttle throttle = Topology.route("sendMessage").orElseThrow().throttle();
        int senders = 25;
        int each = Topology.MessageRate.BURST; // within every sender's own message rate
        int sent = senders * each;
        assertThat(sent).as("the test must send more than the route's burst").isGreaterThan(throttle.burst());
        try (LocalCloud cloud = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1")))) {
            URI stage = URI.create(cloud.outputs().get("WebSocketUrl") + "/demo?token=" + cloud.token());
            WsClient watcher = WsClient.connect(stage);
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                // Each sender with a token of its own, as separate people: one subject holds at most
                // Topology.ConnectionsPerSubject.MAX connections.
                clients.add(WsClient.connect(URI.create(cloud.outputs().get("WebSocketUrl") + "/demo?token="
                        + cloud.mintToken("sender-" + i, dev.edgewire.contract.Tokens.Grant.ALL, java.time.Duration.ofHours(1)))));
            }
            long start = System.nanoTime();
            for (int j = 0; j < each; j++) {
                for (int i = 0; i < senders; i++) {
                    clients.get(i).send("{\"action\":\"sendMessage\",\"message\":\"thr-" + i + "-" + j + "\"}");
                }
            }
            double sending = (System.nanoTime() - start) / 1e9;
            Set<String> delivered = new HashSet<>();
            Pattern marker = Pattern.compile("thr-\\d+-\\d+");
            int throttled = 0;
            int overOwnRate = 0; // the function's per-connection rate: a sender's burst may not all fit
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (delivered.size() + throttled + overOwnRate < sent && System.nanoTime() < deadline) {
                for (WsClient client : clients) {
                    for (String text; (text = client.messages().poll()) != null; ) {
                        if (text.contains("\"message\": \"Too Many Requests\"")) {
                            assertThat(text).contains("\"connectionId\":").contains("\"requestId\":");
                            throttled++;
                        } else if (text.contains("\"TooManyMessages\"")) {
                            overOwnRate++;
                        }
                    }
                }
                for (String text; (text = watcher.messages().poll()) != null; ) {
                    marker.matcher(text).results().forEach(m -> delivered.add(m.group()));
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(delivered.size() + throttled + overOwnRate).as("each message delivered or refused: %d delivered,"
                    + " %d throttled, %d over the sender's rate", delivered.size(), throttled, overOwnRate).isEqualTo(sent);
            assertThat((double) delivered.size() + overOwnRate).as("messages that reached the function in %.2f s", seconds)
                    .isLessThanOrEqualTo(throttle.burst() + throttle.ratePerSecond() * seconds);
            assertThat(throttled).as("messages refused as over the route's throttle (sent in %.3f s)", sending)
                    .isPositive();

            // Another route has its own bucket: $default still answers.
            watcher.send("{\"action\":\"nosuchroute\"}");
            assertThat(watcher.next("Unknown action")).contains("\"BadRequest\"");
        }
    }
}
