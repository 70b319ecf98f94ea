package dev.edgewire.faults;

import java.time.Duration;

/**
 * Sizes of a suite run: the issue's counts by default, small ones for CI ({@code --quick}).
 *
 * @param readings      readings per stream (scenarios 1 and 2)
 * @param rate          readings per second of a stream; within what the fan-out sustains, so a count
 *                      of missing readings means lost readings, not the rule-action queue's bounded drop
 * @param vanished      WebSocket clients that vanish without a close frame (scenario 3)
 * @param live          live WebSocket clients beside them
 * @param liveMessages  broadcasts the live clients send after the first one
 * @param storeReadings readings streamed across the store outage (scenario 4)
 * @param storeRate     their rate
 * @param brokerDown    how long the broker stays down
 * @param storeDown     how long the store stays down
 * @param queuedReadings readings waiting in local mode's readings queue when it is killed (scenario 6)
 */
record Settings(boolean quick, long readings, double rate, int vanished, int live, int liveMessages,
                long storeReadings, double storeRate, Duration brokerDown, Duration storeDown, long queuedReadings) {

    static Settings issue() {
        return new Settings(false, 10_000, 250, 1_000, 3, 5, 5_000, 250, Duration.ofSeconds(3), Duration.ofSeconds(5),
                5_000);
    }

    static Settings ci() {
        return new Settings(true, 500, 100, 50, 3, 5, 1_000, 100, Duration.ofSeconds(2), Duration.ofSeconds(3),
                500);
    }
}
