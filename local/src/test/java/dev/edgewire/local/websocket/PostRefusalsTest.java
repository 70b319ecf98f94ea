package dev.edgewire.local.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostRefusalsTest {

    private final PostRefusals refusals = new PostRefusals();

    @Test
    void refusal_isApiGatewaysLimitExceeded_forTheChosenConnectionsOnly() {
        refusals.refuse(List.of("a", "b"), Duration.ofMinutes(1));

        assertThat(refusals.refusal("a")).hasValueSatisfying(reply -> {
            assertThat(reply.status()).isEqualTo(429);
            assertThat(reply.errorType()).isEqualTo("LimitExceededException");
            assertThat(reply.body()).contains("WebSocket client side buffer is full");
        });
        assertThat(refusals.refusal("b")).isPresent();
        assertThat(refusals.refusal("c")).isEmpty();
        assertThat(refusals.refused()).isEqualTo(2);
    }

    @Test
    void refusal_endsWhenItsTimeIsUp() throws InterruptedException {
        refusals.refuse(List.of("a"), Duration.ofMillis(50));
        assertThat(refusals.refusal("a")).isPresent();

        Thread.sleep(80);

        assertThat(refusals.refusal("a")).isEmpty();
        assertThat(refusals.refused()).isEqualTo(1);
    }

    @Test
    void nothingIsRefused_unlessAsked() {
        assertThat(refusals.refusal("a")).isEmpty();
        assertThat(refusals.refused()).isZero();
    }
}
