package dev.edgewire.telemetry;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.connection.Watcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The connections and the devices each chose ({@link Watcher}), read from the table at most once
 * per {@code ttl} and shared by every reading fanned out in between, so a fleet's readings cost one Scan per {@code ttl} per function instance
 * instead of one per reading.
 *
 * <p>Staleness bound: a connection whose row was stored at time {@code t} receives every reading
 * fanned out at or after {@code t + ttl}. The age is counted from the moment a Scan starts, and
 * the Scan is strongly consistent, so a refresh never serves a read older than {@code ttl}.
 * Connections found gone are dropped from the cached ids at once.
 */
public final class ConnectionIdCache {

    private final ConnectionRepository connections;
    private final Duration ttl;
    private final Clock clock;

    private List<Watcher> watchers;
    private Instant readAt;

    public ConnectionIdCache(ConnectionRepository connections, Duration ttl, Clock clock) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative, was " + ttl);
        }
    }

    /** The watchers, read again if the last read is {@code ttl} old or older. One reader at a time. */
    public synchronized List<Watcher> watchers() {
        Instant now = clock.instant();
        if (watchers == null || !now.isBefore(readAt.plus(ttl))) {
            watchers = connections.watchers();
            readAt = now;
        }
        return watchers;
    }

    /**
     * The ids read now, whatever their age: for when the cached ones are known to be older than a
     * connection (a message came from one they do not hold).
     */
    public synchronized List<Watcher> readNow() {
        watchers = connections.watchers();
        readAt = clock.instant();
        return watchers;
    }

    /** Drops connections known to be gone until the next read. */
    public synchronized void forget(Collection<String> goneIds) {
        if (watchers != null && !goneIds.isEmpty()) {
            watchers = watchers.stream().filter(w -> !goneIds.contains(w.connectionId())).toList();
        }
    }

    public Duration ttl() {
        return ttl;
    }
}
