package dev.edgewire.local.cost;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection minutes of one service: each connection from its start to its end, rounded up to whole
 * minutes ({@link BillingUnits#connectionMinutes}); one still open is counted up to the moment asked.
 */
final class ConnectionMinutes {

    private final ConcurrentHashMap<String, Long> open = new ConcurrentHashMap<>();
    private final LongAdder closedMinutes = new LongAdder();
    private final LongAdder connections = new LongAdder();

    void opened(String key, long atMillis) {
        if (open.putIfAbsent(key, atMillis) == null) {
            connections.increment();
        }
    }

    /** A key that was not opened (or was closed already) changes nothing. */
    void closed(String key, long atMillis) {
        Long start = open.remove(key);
        if (start != null) {
            closedMinutes.add(BillingUnits.connectionMinutes(atMillis - start));
        }
    }

    long minutes(long nowMillis) {
        long minutes = closedMinutes.sum();
        for (long start : open.values()) {
            minutes += BillingUnits.connectionMinutes(nowMillis - start);
        }
        return minutes;
    }

    long connections() {
        return connections.sum();
    }

    int open() {
        return open.size();
    }
}
