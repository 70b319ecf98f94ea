package dev.edgewire.device.transport;

import java.util.concurrent.locks.LockSupport;

/** Spaces calls evenly at a fixed rate; callers block until their slot comes. */
public final class Pacer {
    private final long intervalNanos;
    private long next = System.nanoTime();

    public Pacer(double perSecond) {
        this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    }

    public static Pacer unlimited() {
        return new Pacer(0);
    }

    public void await() {
        if (intervalNanos == 0) {
            return;
        }
        long slot;
        synchronized (this) {
            long now = System.nanoTime();
            // A caller that fell behind does not earn a burst: at most one interval of credit.
            slot = Math.max(next, now - intervalNanos);
            next = slot + intervalNanos;
        }
        long wait;
        while ((wait = slot - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
