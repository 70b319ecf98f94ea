package dev.edgewire.auth;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The keys a token may be signed with, the current one first. During a key rotation there are two:
 * tokens minted with the previous key stay good until the rotation after, or until they expire.
 */
@FunctionalInterface
public interface TokenKeys {

    /** At least one key; called on every verification, so an implementation that reads them should cache. */
    List<byte[]> keys();

    /**
     * Drops the keys held and reads them again now, waiting at most {@code within}; never throws.
     * For a function restored from a SnapStart snapshot, whose keys may have rotated since. Keys
     * given as they are (as local mode and tests have them) have nothing to read again.
     */
    default void refreshNow(Duration within) {
    }

    /** Only the key {@code key} supplies, as local mode and tests have it. */
    static TokenKeys of(Supplier<byte[]> key) {
        Objects.requireNonNull(key, "key");
        return () -> List.of(key.get());
    }
}
