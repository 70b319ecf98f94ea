package dev.edgewire.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.edgewire.systemtests.clients.ConnectionTable;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.target.Deployment;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * A connection that is gone leaves nothing behind: its row leaves the connection table, and the
 * {@code @connections} API calls it gone, however it went (vanished, deleted, or never disconnected).
 */
@ContractTest
class ConnectionCleanupIT {

    @Test
    void aClientThatVanishesWithoutAClose_isRemovedFromTheTable_andIsGoneForTheManagementApi(Deployment deployment)
            throws Exception {
        ConnectionTable table = new ConnectionTable(deployment);
        try (Watcher watcher = Watcher.connect(deployment.stage(deployment.token()), deployment.patience())) {
            String id = watcher.connectionId();
            assertThat(table.row(id)).as("the row of connection %s", id).isPresent();

            watcher.vanish();

            await("the row of vanished connection " + id + " to go").atMost(deployment.patience())
                    .pollInterval(Duration.ofMillis(200)).until(() -> table.row(id).isEmpty());
            assertThatThrownBy(() -> deployment.connectionsApi().postToConnection(b -> b.connectionId(id)
                    .data(SdkBytes.fromUtf8String("{\"type\":\"message\",\"message\":\"anyone there?\"}"))))
                    .isInstanceOf(GoneException.class);
        }
    }

    @Test
    void aConnectionDeletedThroughTheManagementApi_isClosed_andRemovedFromTheTable(Deployment deployment) throws Exception {
        ConnectionTable table = new ConnectionTable(deployment);
        try (Watcher watcher = Watcher.connect(deployment.stage(deployment.token()), deployment.patience())) {
            String id = watcher.connectionId();

            deployment.connectionsApi().deleteConnection(b -> b.connectionId(id));

            assertThat(watcher.closeCode().get(deployment.patience().toSeconds(), TimeUnit.SECONDS))
                    .as("the client's connection ends").isNotNull();
            await("the row of deleted connection " + id + " to go").atMost(deployment.patience())
                    .pollInterval(Duration.ofMillis(200)).until(() -> table.row(id).isEmpty());
            assertThatThrownBy(() -> deployment.connectionsApi().getConnection(b -> b.connectionId(id)))
                    .isInstanceOf(GoneException.class);
        }
    }

    @Test
    void aRowWhoseConnectionIsGone_isRemovedByTheNextMessage(Deployment deployment) throws Exception {
        ConnectionTable table = new ConnectionTable(deployment);
        String gone = table.putRowOfAGoneConnection();
        try (Watcher watcher = Watcher.connect(deployment.stage(deployment.token()), deployment.patience())) {
            String text = "sweep " + UUID.randomUUID();

            watcher.sendMessage(Watcher.JSON.getNodeFactory().textNode(text), null);

            watcher.awaitEnvelope("the message back", e -> text.equals(e.path("message").asText()));
            await("the row of gone connection " + gone + " to be removed by the broadcast").atMost(deployment.patience())
                    .pollInterval(Duration.ofMillis(200)).until(() -> table.row(gone).isEmpty());
        } finally {
            table.delete(gone);
        }
    }
}
