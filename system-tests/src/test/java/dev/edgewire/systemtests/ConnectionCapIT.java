package dev.edgewire.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.edgewire.contract.Tokens;
import dev.edgewire.contract.Topology.ConnectionsPerSubject;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.target.Deployment;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One token subject holds at most {@link ConnectionsPerSubject#MAX} open connections: the connections
 * over it are refused at the handshake with {@value ConnectionsPerSubject#REFUSED_STATUS}, the others
 * work, and a connection that closes makes room for a new one.
 */
@ContractTest
class ConnectionCapIT {

    private static final int OVER = 3;

    @Test
    void connectionsOverTheCap_areRefusedWith429_theOthersWork_andClosingMakesRoom(Deployment deployment) throws Exception {
        Assumptions.assumeTrue(deployment.tokenKey().isPresent(),
                "A subject of its own needs the token key: give -Dedgewire.tokenKeyFile=FILE");
        // A subject no other test shares, so its places are this test's alone.
        String token = Tokens.mint(deployment.tokenKey().get(), "cap-" + UUID.randomUUID(), Tokens.Grant.ALL,
                Duration.ofMinutes(10), Clock.systemUTC());
        URI stage = deployment.stage(token);
        List<Watcher> open = new ArrayList<>();
        try {
            for (int i = 0; i < ConnectionsPerSubject.MAX; i++) {
                open.add(Watcher.connect(stage, deployment.patience()));
            }
            for (int i = 0; i < OVER; i++) {
                assertThat(Watcher.refusal(stage, deployment.patience())).as("connection %d over the cap", i + 1)
                        .contains(ConnectionsPerSubject.REFUSED_STATUS);
            }

            // Every connection within the cap works: a message from one reaches all of them.
            String hello = "hello from within the cap " + UUID.randomUUID();
            open.getFirst().sendMessage(Watcher.JSON.getNodeFactory().textNode(hello), null);
            for (Watcher watcher : open) {
                watcher.awaitEnvelope("the message", e -> hello.equals(e.path("message").asText()));
            }

            open.remove(0).close();
            open.remove(0).close();
            // $disconnect gives the places back once the connections have closed.
            for (int i = 0; i < 2; i++) {
                open.add(await().atMost(deployment.patience()).pollInterval(Duration.ofMillis(500))
                        .ignoreException(dev.edgewire.standins.clients.WsClient.Refused.class)
                        .until(() -> Watcher.connect(stage, deployment.patience()), w -> w != null));
            }
            assertThat(Watcher.refusal(stage, deployment.patience())).as("a connection over the cap again")
                    .contains(ConnectionsPerSubject.REFUSED_STATUS);
        } finally {
            for (Watcher watcher : open) {
                watcher.close();
            }
        }
    }
}
