package dev.edgewire.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** W4's model, one row worked by hand. */
class FanOutAtScaleTest {

    /** 270 B envelopes; 200 µs of CPU a post on half a vCPU: 2,500 posts/s (100 in flight at 25 ms would allow 4,000). */
    private static final FanOutAtScale.Inputs IN = new FanOutAtScale.Inputs(270, 200, 0.5, 25, 25, 10, 10_000, 1_000);

    @Test
    void worker_isBoundByTheLesserOfItsCpuAndItsPostsInFlight() {
        assertThat(IN.workerPostsPerSecond()).isCloseTo(2_500, within(1e-9));
    }

    /**
     * 1,000 watchers, 200 readings/s, no quota: 2 shards, both at once (2 coordinators x (1 + 2) = 6
     * executions). A batch of b readings is one frame while b x 270 B fits 32 KB; a worker posts it to 500
     * watchers in 0.2 s, a round adds a 25 ms Invoke; coalescing receives ceil((b - 10) / 10) more and
     * deletes as many, plus the mapping's receive and delete, at 10 ms each. From a 0.4 s cycle: b = 40,
     * cycle 0.4 + 0.225 + 5 x 0.01 = 0.675; b = 68 (67.5 rounded), 0.705; b = 71, 0.715; b = 72, 0.715.
     */
    @Test
    void row_1000Watchers_200ReadingsPerSecond_asWorkedByHand() {
        FanOutAtScale.Row row = FanOutAtScale.row(IN, 1_000, 200, 50, Integer.MAX_VALUE);

        assertThat(row.shards()).isEqualTo(2);
        assertThat(row.concurrency()).isEqualTo(6);
        assertThat(row.readingsPerBatch()).isEqualTo(72);
        assertThat(row.frames()).isEqualTo(1);
        assertThat(row.workerSeconds()).isCloseTo(0.2, within(1e-9));
        assertThat(row.deliverySeconds()).isCloseTo(0.225, within(1e-9));
        assertThat(row.cycleSeconds()).isCloseTo(0.715, within(1e-9));
        assertThat(row.postsPerWatcherPerSecond()).isCloseTo(2 / 0.715, within(1e-9));
        assertThat(row.keepsUp()).isTrue();
        assertThat(row.quotaBinds()).isFalse();
    }

    /** 100,000 watchers share the 10,000 posts/s: two coordinators' posts to everyone take 20 s a round at least, so batches hit 1,000. */
    @Test
    void row_100kWatchers_underTheDefaultQuota_fallsBehind() {
        FanOutAtScale.Row row = FanOutAtScale.row(IN, 100_000, 200, 50, 10_000);

        assertThat(row.quotaBinds()).isTrue();
        assertThat(row.readingsPerBatch()).isEqualTo(1_000);
        assertThat(row.cycleSeconds()).isCloseTo(2.0 * 100_000 * row.frames() / 10_000, within(1e-9));
        assertThat(row.keepsUp()).isFalse();
    }
}
