package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.local.websocket.WebSocketGateway;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** API Gateway's connection lifetime limits, shortened, and a clean stop of local mode. */
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
}
