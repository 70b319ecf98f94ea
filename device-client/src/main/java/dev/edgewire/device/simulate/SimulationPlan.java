package dev.edgewire.device.simulate;

import dev.edgewire.device.dataset.ReadingSource;
import java.time.Duration;
import java.util.List;

/**
 * What to simulate.
 *
 * @param deviceIds        one connection and one {@code seq} counter per device
 * @param ratePerSecond    new readings per second per device
 * @param countPerDevice   new readings per device, or 0 to run for {@code duration}
 * @param duration         how long to produce readings when {@code countPerDevice} is 0
 * @param qos              0 or 1
 * @param topicOverride    send every device's readings here instead of its telemetry topic, or null
 * @param maxInFlight      messages sent but not yet acknowledged, per device
 * @param drainTimeout     how long to wait for outstanding acknowledgements after the last reading
 */
public record SimulationPlan(List<String> deviceIds, double ratePerSecond, long countPerDevice, Duration duration,
                             int qos, String topicOverride, ReadingSource source, int maxInFlight,
                             Duration drainTimeout) {

    public SimulationPlan {
        if (deviceIds.isEmpty()) {
            throw new IllegalArgumentException("at least one device");
        }
        if (countPerDevice <= 0 && (duration == null || duration.isZero() || duration.isNegative())) {
            throw new IllegalArgumentException("a count or a duration");
        }
    }
}
