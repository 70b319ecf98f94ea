package dev.edgewire.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Tokens;
import dev.edgewire.systemtests.clients.ConnectionTable;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.target.Deployment;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The stage lets in whoever holds a valid token, and nobody else: the $connect route and its token authorizer. */
@ContractTest
class WebSocketConnectIT {

    @Test
    void aValidToken_opensAConnection_thatTheConnectionTableRecords(Deployment deployment) throws Exception {
        long before = Instant.now().minusSeconds(60).toEpochMilli();
        try (Watcher watcher = Watcher.connect(deployment.stage(deployment.token()), deployment.patience())) {
            String id = watcher.connectionId();

            var row = new ConnectionTable(deployment).row(id);

            assertThat(row).as("the row of connection %s", id).isPresent();
            long connectedAt = Long.parseLong(row.get().get("connectedAt").n());
            long expiresAt = Long.parseLong(row.get().get("expiresAt").n());
            assertThat(connectedAt).as("connectedAt, epoch ms").isBetween(before, Instant.now().plusSeconds(60).toEpochMilli());
            assertThat(expiresAt).as("expiresAt, epoch s: past API Gateway's 2 h connection limit")
                    .isGreaterThan(connectedAt / 1000 + Duration.ofHours(2).toSeconds());
        }
    }

    @Test
    void noToken_isRefusedWith401(Deployment deployment) throws Exception {
        assertThat(Watcher.refusal(deployment.stage(null), deployment.patience())).contains(401);
    }

    @Test
    void aTokenSignedWithAnotherKey_isRefusedWith403(Deployment deployment) throws Exception {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] otherKey = HexFormat.of().formatHex(random).getBytes(StandardCharsets.UTF_8);
        String forged = Tokens.mint(otherKey, "intruder", Tokens.Grant.ALL, Duration.ofHours(1), Clock.systemUTC());

        assertThat(Watcher.refusal(deployment.stage(forged), deployment.patience())).contains(403);
    }

    @Test
    void somethingThatIsNotAToken_isRefusedWith403(Deployment deployment) throws Exception {
        assertThat(Watcher.refusal(deployment.stage("not-a-token"), deployment.patience())).contains(403);
    }

    @Test
    void anExpiredToken_isRefusedWith403(Deployment deployment) throws Exception {
        Assumptions.assumeTrue(deployment.tokenKey().isPresent(),
                "Minting an expired token needs the token key: give -Dedgewire.tokenKeyFile=FILE");
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = Tokens.mint(deployment.tokenKey().get(), "contract-suite", Tokens.Grant.ALL, Duration.ofMinutes(5), anHourAgo);

        assertThat(Watcher.refusal(deployment.stage(expired), deployment.patience())).contains(403);
    }

    @Test
    void aTokenMintedFromTheStagesKey_opensAConnection(Deployment deployment) throws Exception {
        Assumptions.assumeTrue(deployment.tokenKey().isPresent(),
                "Minting a token needs the token key: give -Dedgewire.tokenKeyFile=FILE");
        String minted = Tokens.mint(deployment.tokenKey().get(), "contract-suite", Tokens.Grant.ALL, Duration.ofMinutes(5), Clock.systemUTC());

        assertThat(Watcher.refusal(deployment.stage(minted), deployment.patience())).isEmpty();
    }
}
