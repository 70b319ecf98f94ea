package dev.edgewire.message;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.connection.ConnectionRepository.ClockUpdate;
import dev.edgewire.contract.Topology;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each connection's message rate ({@link Topology.MessageRate}), as a generic cell rate algorithm on
 * its row: the clock says when the connection's next message is due at the steady rate; a message is
 * allowed while the clock is less than {@code (burst - 1) / rate} ahead of now, and moves it on by
 * {@code 1 / rate}. The table holds the clock, so every function instance sees the same one; an
 * instance remembers the clocks it saw, and since a clock only moves on, one that is already too far
 * ahead refuses a message with no call at all. A store that cannot be reached lets messages through
 * (logged): the limit protects the others, it must not silence everyone.
 */
public final class MessageRateLimit {

    private static final Logger LOG = LoggerFactory.getLogger(MessageRateLimit.class);
    /** Clocks remembered per instance at most; the least recently used are forgotten. */
    static final int REMEMBERED = 10_000;

    /** Whether a message may go, and if not, when one may. */
    public sealed interface Decision {
        record Allowed() implements Decision {
        }

        record Refused(long retryAfterMillis) implements Decision {
        }
    }

    private final ConnectionRepository connections;
    private final Clock clock;
    private final long interval;
    private final long tolerance;
    private final Map<String, Long> seen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** At {@link Topology.MessageRate}'s rate and burst. */
    public MessageRateLimit(ConnectionRepository connections, Clock clock) {
        this(connections, clock, Topology.MessageRate.PER_SECOND, Topology.MessageRate.BURST);
    }

    MessageRateLimit(ConnectionRepository connections, Clock clock, int perSecond, int burst) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (perSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("the rate and the burst must be at least 1");
        }
        this.interval = Math.max(1, 1000L / perSecond);
        this.tolerance = (burst - 1) * interval;
    }

    /** Takes one message's place for {@code connectionId}, or says when to retry. */
    public Decision admit(String connectionId) {
        long now = clock.millis();
        Long known = remembered(connectionId);
        if (known != null && known - now > tolerance) {
            return refused(known, now);
        }
        try {
            ClockUpdate update;
            if (known != null && known >= now) {
                // The clock is at or after now (it only moves on): it can only be moved on by one interval.
                update = add(connectionId, now);
            } else {
                // Quiet for a while, or not known here: start it again, or else move it on.
                update = restart(connectionId, now);
                if (update instanceof ClockUpdate.Refused) {
                    update = add(connectionId, now);
                }
            }
            if (update instanceof ClockUpdate.Advanced advanced) {
                remember(connectionId, advanced.clock());
                return new Decision.Allowed();
            }
            Long current = ((ClockUpdate.Refused) update).current();
            if (current == null && known != null) {
                // The store did not say what the row holds, but this instance has seen the clock: it is past the
                // burst now, and whoever moved it on remembers where to.
                return new Decision.Refused(interval);
            }
            if (current == null) {
                // The store did not say what the row holds (DynamoDB does; some compatible stores do not), and
                // this instance has not seen the clock: read it once, so that the next messages over the limit
                // are refused here without a call.
                current = connections.readMessageClock(connectionId);
            }
            if (current == null) {
                // No row: the connection has gone. Its message does not go.
                return new Decision.Refused(interval);
            }
            remember(connectionId, current);
            return refused(current, now);
        } catch (RuntimeException e) {
            LOG.warn("the message rate of {} could not be checked; the message goes: {}", connectionId, e.toString());
            return new Decision.Allowed();
        }
    }

    private ClockUpdate restart(String connectionId, long now) {
        return connections.restartMessageClock(connectionId, now, now + interval);
    }

    private ClockUpdate add(String connectionId, long now) {
        return connections.addToMessageClock(connectionId, interval, now, now + tolerance);
    }

    private Decision refused(long clockValue, long now) {
        return new Decision.Refused(Math.max(1, clockValue - tolerance - now));
    }

    private Long remembered(String connectionId) {
        synchronized (seen) {
            return seen.get(connectionId);
        }
    }

    private void remember(String connectionId, long clockValue) {
        synchronized (seen) {
            seen.merge(connectionId, clockValue, Math::max);
        }
    }
}
