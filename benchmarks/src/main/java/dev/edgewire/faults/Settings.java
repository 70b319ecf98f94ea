package dev.edgewire.faults;

import java.time.Duration;

/**
 * Sizes of a suite run: the published counts by default, small ones for CI ({@code --quick}).
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
 * @param partial        the fan-out failing part of a batch (scenario 7)
 * @param worker         a worker killed midway (scenario 8)
 * @param flood          a client flooding sendMessage (scenario 9)
 * @param capConnections connections opened at once with one token, above its subject's cap (scenario 10)
 */
record Settings(boolean quick, long readings, double rate, int vanished, int live, int liveMessages,
                long storeReadings, double storeRate, Duration brokerDown, Duration storeDown, long queuedReadings,
                Partial partial, Worker worker, Flood flood, int capConnections) {

    /**
     * @param watchers  WebSocket watchers of the stream
     * @param refused   of them, those whose posts the {@code @connections} API refuses
     * @param readings  readings of the stream
     * @param rate      their rate
     * @param refusedFor how long the posts are refused
     */
    record Partial(int watchers, int refused, long readings, double rate, Duration refusedFor) {
    }

    /**
     * @param watchers  WebSocket watchers, more than a shard
     * @param shardSize local mode's shard size ({@code --shard-size}; AWS's default is 500)
     * @param readings  readings of the stream
     * @param rate      their rate
     */
    record Worker(int watchers, int shardSize, long readings, double rate) {
    }

    /**
     * @param watchers    WebSocket watchers besides the flooding client
     * @param devices     devices publishing readings
     * @param deviceRate  readings per second of each device
     * @param messageRate sendMessage per second of the flooding client
     * @param duration    of the run without the flood, and of the run with it
     */
    record Flood(int watchers, int devices, int deviceRate, int messageRate, Duration duration) {
    }

    static Settings issue() {
        return new Settings(false, 10_000, 250, 1_000, 3, 5, 5_000, 250, Duration.ofSeconds(3), Duration.ofSeconds(5),
                5_000, new Partial(20, 10, 1_200, 20, Duration.ofSeconds(5)), new Worker(600, 500, 1_000, 20),
                new Flood(100, 20, 10, 1_000, Duration.ofSeconds(30)), 50);
    }

    static Settings ci() {
        return new Settings(true, 500, 100, 50, 3, 5, 1_000, 100, Duration.ofSeconds(2), Duration.ofSeconds(3),
                500, new Partial(10, 5, 300, 20, Duration.ofSeconds(3)), new Worker(50, 20, 300, 20),
                new Flood(20, 5, 10, 100, Duration.ofSeconds(10)), 50);
    }
}
