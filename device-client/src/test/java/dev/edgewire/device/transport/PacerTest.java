package dev.edgewire.device.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacerTest {

    @Test
    void callsAreSpacedAtTheRate_soAHundredPerSecondNeverBurstsAbove() {
        Pacer pacer = new Pacer(100);
        long start = System.nanoTime();
        for (int i = 0; i < 21; i++) {
            pacer.await();
        }
        // 21 calls at 100/s need at least 20 intervals of 10 ms between the first and the last.
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(190);
    }
}
