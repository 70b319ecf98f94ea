package dev.edgewire.device.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delays_doubleFromTheInitial_withinHalfToWhole_andStopAtTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(1));
        for (int round = 0; round < 200; round++) {
            assertThat(backoff.delayMillis(0)).isBetween(50L, 100L);
            assertThat(backoff.delayMillis(3)).isBetween(400L, 800L);
            assertThat(backoff.delayMillis(10)).isBetween(2500L, 5000L);
            assertThat(backoff.delayMillis(1000)).isBetween(2500L, 5000L);
        }
    }

    @Test
    void jitter_spreadsDevicesThatFailedTogether() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(1));
        long distinct = java.util.stream.IntStream.range(0, 50).mapToLong(i -> backoff.delayMillis(4)).distinct().count();
        assertThat(distinct).isGreaterThan(25);
    }

    @Test
    void nonsenseBounds_areRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
