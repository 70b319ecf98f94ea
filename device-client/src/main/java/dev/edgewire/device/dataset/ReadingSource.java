package dev.edgewire.device.dataset;

import java.time.Instant;

/** Where readings come from: the seeded generator or a replayed CSV file. */
public interface ReadingSource {

    /** The reading number {@code seq} of a device, taken at {@code ts}. */
    Reading reading(String deviceId, long seq, Instant ts);
}
