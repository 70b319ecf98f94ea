package dev.edgewire.benchmarks;

import dev.edgewire.broadcast.Frames;
import dev.edgewire.contract.Topology;
import dev.edgewire.local.cost.Prices;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * W4 on paper: the fan-out at 100,000 and 1,000,000 watchers on AWS, from the per-worker figures
 * measured in local mode ({@link ShardWorkerBenchmark}) and the design's constants, against the
 * account limits that bind. Every input that is not measured here is a named assumption.
 *
 * <p>The model of one coordinator (the event source mapping runs {@link Topology.ReadingsQueue#MAX_CONCURRENCY}
 * of them): it gathers a batch of {@code b} readings, posts it to every watcher through
 * {@code ceil(shards / inFlight)} rounds of worker invocations, deletes what it coalesced, and starts
 * again. In steady state the coordinators share the readings, so {@code b = rate x cycle / coordinators},
 * at most {@link Topology.ReadingsQueue#MAX_COALESCED}; the frames a watcher gets for a batch follow from
 * {@code b} ({@link Frames#pack} of envelopes of the measured size), and the time to post them from the
 * frames; the cycle is solved by iteration. When the account's {@code @connections} quota is smaller than
 * what the workers would post, the cycle stretches to what the quota allows.
 */
final class FanOutAtScale {

    /**
     * The inputs.
     *
     * @param envelopeBytes       a telemetry envelope as measured
     * @param workerCpuMicrosPerPost the worker's CPU per post, measured in local mode
     * @param lambdaVcpu          the share of a vCPU a 1,024 MB function gets (1,024 / 1,769)
     * @param postMillis          a post's round trip from Lambda to API Gateway (assumption)
     * @param invokeMillis        a synchronous Invoke's overhead per round of workers (assumption)
     * @param sqsCallMillis       one ReceiveMessage or DeleteMessageBatch round trip (assumption)
     * @param postsPerSecondQuota API Gateway's account quota, shared with every other API call of the account
     * @param concurrencyQuota    Lambda's concurrent executions per account and Region
     */
    record Inputs(int envelopeBytes, double workerCpuMicrosPerPost, double lambdaVcpu, double postMillis,
                  double invokeMillis, double sqsCallMillis, int postsPerSecondQuota, int concurrencyQuota) {

        /** A worker's posts per second on Lambda: the lesser of what its vCPU share and its posts in flight allow. */
        double workerPostsPerSecond() {
            double cpuBound = lambdaVcpu * 1e6 / workerCpuMicrosPerPost;
            double latencyBound = Topology.Defaults.BROADCAST_CONCURRENCY * 1000.0 / postMillis;
            return Math.min(cpuBound, latencyBound);
        }
    }

    /**
     * One row: a load, the workers each coordinator runs at once, the {@code @connections} quota
     * ({@link Integer#MAX_VALUE}: none), and what follows: the readings a coordinator handles at once, the
     * frames each watcher gets for them, one worker's time, the time to deliver a batch to everyone, the
     * coordinator's whole cycle, and whether the readings are carried away as fast as they come.
     */
    record Row(int watchers, int rate, int inFlight, int quota, int shards, int concurrency, boolean concurrencyOver,
               int readingsPerBatch, int frames, double workerSeconds, double deliverySeconds, double cycleSeconds,
               double postsPerWatcherPerSecond, boolean keepsUp, boolean quotaBinds, double postsPerSecondWanted) {
    }

    private FanOutAtScale() {
    }

    /** The row for {@code watchers} at {@code rate} readings/s, with {@code inFlight} workers per coordinator, under {@code quota}. */
    static Row row(Inputs in, int watchers, int rate, int inFlight, int quota) {
        int coordinators = Topology.ReadingsQueue.MAX_CONCURRENCY;
        int shardSize = Topology.Defaults.SHARD_SIZE;
        int shards = watchers <= shardSize ? 0 : Math.ceilDiv(watchers, shardSize);
        int running = Math.min(inFlight, Math.max(1, shards));
        int concurrency = coordinators * (1 + (shards == 0 ? 0 : running));
        double cover = Topology.ReadingsQueue.COALESCE_FOR.toMillis() / 1000.0;
        double perWorker = in.workerPostsPerSecond();
        double cycle = cover;
        int batch = 0;
        int frames = 0;
        double workerSeconds = 0;
        double delivery = 0;
        boolean quotaBinds = false;
        for (int i = 0; i < 200; i++) {
            batch = (int) Math.min(Topology.ReadingsQueue.MAX_COALESCED, Math.max(1, Math.round(rate * cycle / coordinators)));
            frames = frames(batch, in.envelopeBytes());
            if (shards == 0) {
                workerSeconds = (double) watchers * frames / perWorker;
                delivery = workerSeconds;
            } else {
                workerSeconds = (double) Math.min(watchers, shardSize) * frames / perWorker;
                delivery = Math.ceilDiv(shards, running) * (in.invokeMillis() / 1000.0 + workerSeconds);
            }
            // Coalescing receives 10 at a time beyond the first batch, and deletes them after the posts;
            // the event source mapping's own receive and delete come on top, one each a batch.
            int more = Math.ceilDiv(Math.max(0, batch - Topology.ReadingsQueue.BATCH_SIZE), Topology.ReadingsQueue.BATCH_SIZE);
            double sqs = in.sqsCallMillis() / 1000.0;
            double busy = Math.max(cover, more * sqs) + delivery + (more + 2) * sqs;
            double quotaCycle = (double) coordinators * watchers * frames / quota;
            quotaBinds = quotaCycle > busy;
            double next = Math.max(busy, quotaCycle);
            if (Math.abs(next - cycle) < 1e-6) {
                cycle = next;
                break;
            }
            cycle = next;
        }
        // Below the cap a batch grows with the cycle and carries every reading; at the cap, only as many as fit.
        boolean keepsUp = batch < Topology.ReadingsQueue.MAX_COALESCED
                || (double) coordinators * Topology.ReadingsQueue.MAX_COALESCED / cycle >= rate;
        double perWatcher = coordinators * frames / cycle;
        return new Row(watchers, rate, inFlight, quota, shards, concurrency, concurrency > in.concurrencyQuota(), batch, frames,
                workerSeconds, delivery, cycle, perWatcher, keepsUp, quotaBinds,
                (double) watchers * Topology.ReadingsQueue.MAX_POSTS_PER_WATCHER_PER_SECOND * frames(
                        Math.ceilDiv(rate, Topology.ReadingsQueue.MAX_POSTS_PER_WATCHER_PER_SECOND), in.envelopeBytes()));
    }

    /** Frames a watcher gets for {@code readings} envelopes of {@code bytes} each. */
    static int frames(int readings, int bytes) {
        String envelope = "{\"type\":\"telemetry\",\"pad\":\"" + "x".repeat(Math.max(0, bytes - 30)) + "\"}";
        return Frames.pack(Collections.nCopies(readings, envelope)).size();
    }

    /** The rows of W4's table. */
    static List<Row> rows(Inputs in, List<Integer> watchers, List<Integer> rates, List<Integer> inFlight) {
        List<Row> rows = new ArrayList<>();
        for (int n : watchers) {
            for (int rate : rates) {
                for (int w : inFlight) {
                    rows.add(row(in, n, rate, w, Integer.MAX_VALUE));
                    rows.add(row(in, n, rate, w, in.postsPerSecondQuota()));
                }
            }
        }
        return rows;
    }

    /** AWS's bill for an hour at {@code watchers} and {@code rate}, as {@link CostModel} costs the design. */
    static BigDecimal costPerHour(Inputs in, int watchers, int rate) {
        CostModel.Design given = CostModel.Design.asGiven();
        CostModel.Design measured = new CostModel.Design(in.envelopeBytes(), given.coalesceMillis(), given.coordinators(),
                given.shardSize(), given.postsInFlight(), given.postMillis(), given.batchSize(), given.memoryMb());
        return CostModel.newDesign(new CostModel.Load(watchers, rate), measured).total(Prices.US_EAST_1);
    }
}
