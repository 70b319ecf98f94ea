package dev.edgewire.device.simulate;

import java.util.Arrays;

/** Publish-to-acknowledgement times; keeps every sample up to a cap, which a CLI run stays far below. */
final class LatencyRecorder {
    private static final int MAX_SAMPLES = 5_000_000;
    private long[] samples = new long[1024];
    private int count;

    synchronized void record(long nanos) {
        if (count == MAX_SAMPLES) {
            return;
        }
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, Math.min(MAX_SAMPLES, samples.length * 2));
        }
        samples[count++] = nanos;
    }

    /** The {@code q}-quantile (0..1) in milliseconds, nearest-rank; 0 with no samples. */
    synchronized double quantileMillis(double q) {
        if (count == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))] / 1_000_000.0;
    }
}
