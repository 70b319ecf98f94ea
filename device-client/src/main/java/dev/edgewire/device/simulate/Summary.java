package dev.edgewire.device.simulate;

import java.util.Locale;

/**
 * What a simulation did.
 *
 * @param generated new readings stored in the outbox by this run
 * @param resumed   readings left by an earlier run and sent by this one
 * @param sent      publish attempts, retries included
 * @param acked     readings the target acknowledged (and that left the outbox)
 * @param failed    readings the target refused for good (they stay in the outbox)
 * @param retried   publish attempts that repeated an earlier one after a failure
 * @param refused   readings not taken because the outbox was full
 * @param pending   readings of these devices still in the outbox at the end
 */
public record Summary(String protocol, int devices, int qos, long generated, long resumed, long sent, long acked,
                      long failed, long retried, long refused, long pending, long reconnects, double seconds,
                      double ratePerSecond, double p50Millis, double p99Millis) {

    public String text() {
        return String.format(Locale.ROOT,
                "%s, %d device(s), QoS %d: generated %d, resumed %d, sent %d, acked %d, failed %d, retried %d, "
                        + "refused (outbox full) %d, pending %d, reconnects %d%n"
                        + "%.2f s, %.1f acked msg/s, publish-to-ack p50 %.2f ms, p99 %.2f ms",
                protocol, devices, qos, generated, resumed, sent, acked, failed, retried, refused, pending,
                reconnects, seconds, ratePerSecond, p50Millis, p99Millis);
    }
}
