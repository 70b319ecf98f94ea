package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.standins.clients.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What local mode keeps across a restart: its certificates, its token key and its table. */
class LocalModeRestartIT {

    @Test
    void aRestart_keepsTheCertificatesTokenKeyAndTableRows() throws Exception {
        // Relative, as the run command's default .local is: every component must resolve it the same way.
        Path state = Path.of("target", "restart-it-" + System.nanoTime());
        assertThat(state.isAbsolute()).isFalse();
        LocalConfig config = LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0).withThings(List.of("thing-1"));
        String caPem;
        String thingPem;
        String token;
        try (LocalCloud first = LocalCloud.start(config)) {
            caPem = Files.readString(Path.of(first.outputs().get("CaCertificateFile")));
            thingPem = Files.readString(Path.of(first.outputs().get("CertificateFile")));
            token = first.mintToken("someone", dev.edgewire.contract.Tokens.Grant.ALL, java.time.Duration.ofHours(1));
            first.storeClient().putItem(b -> b.tableName(LocalCloud.TABLE_NAME).item(Map.of(
                    ConnectionTable.PARTITION_KEY, AttributeValue.fromS("kept-across-restart"),
                    ConnectionTable.EXPIRES_AT, AttributeValue.fromN(Long.toString(
                            java.time.Instant.now().plusSeconds(3600).getEpochSecond())))));
        }

        try (LocalCloud second = LocalCloud.start(config)) {
            assertThat(Files.readString(Path.of(second.outputs().get("CaCertificateFile")))).isEqualTo(caPem);
            assertThat(Files.readString(Path.of(second.outputs().get("CertificateFile")))).isEqualTo(thingPem);
            assertThat(second.mintToken("someone", dev.edgewire.contract.Tokens.Grant.ALL, java.time.Duration.ofHours(1)).split("[.]")[0])
                    .isEqualTo(token.split("[.]")[0]);
            assertThat(second.storeClient().getItem(b -> b.tableName(LocalCloud.TABLE_NAME).key(Map.of(
                    ConnectionTable.PARTITION_KEY, AttributeValue.fromS("kept-across-restart")))).hasItem()).isTrue();
            try (WsClient client = WsClient.connect(java.net.URI.create(
                    second.outputs().get("WebSocketUrl") + "/demo?token=" + token))) {
                client.send("{\"action\":\"sendMessage\",\"message\":\"token minted before the restart\"}");
                assertThat(client.next("token minted before the restart")).contains("\"type\":\"message\"");
            }
        }
    }
}
