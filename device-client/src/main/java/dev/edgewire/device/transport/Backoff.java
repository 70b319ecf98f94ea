package dev.edgewire.device.transport;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": attempt n waits a random time between half of and the
 * whole of {@code min(max, initial * 2^n)}, so a fleet cut off together does not come back in lockstep,
 * and no device retries sooner than half the nominal delay.
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final RandomGenerator random;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    public static Backoff standard() {
        return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), RandomGenerator.getDefault());
    }

    /** The delay before retry number {@code attempt} (0 for the first retry). */
    public long delayMillis(int attempt) {
        long cap = attempt >= 30 ? maxMillis : Math.min(maxMillis, initialMillis << Math.max(0, attempt));
        long half = cap / 2;
        return half + random.nextLong(cap - half + 1);
    }
}
