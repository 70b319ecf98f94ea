package dev.edgewire.benchmarks;

import dev.edgewire.broadcast.Frames;
import dev.edgewire.contract.Topology;
import dev.edgewire.local.cost.BillingUnits;
import dev.edgewire.local.cost.Prices;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one hour of readings fanned out to watchers bills on AWS, for the old design and the new one,
 * at the prices local mode's cost meter uses ({@link Prices#US_EAST_1}). Prints the Markdown of
 * {@code docs/cost.md}'s table: {@code java -cp ... dev.edgewire.benchmarks.CostModel}.
 *
 * <p>Old design: every reading is one fan-out invocation (the topic rule invokes it), which posts the
 * reading to every connection; {@code @connections} posts = readings/s × watchers.
 *
 * <p>New design, with its parameters taken as given ({@link Design}): the topic rule sends each reading
 * to the readings queue; the fan-out takes batches of 10 (one ReceiveMessage and one DeleteMessageBatch a
 * batch, long polls); under load a coordinator invocation gathers readings for at least 0.4 s and at most 2
 * run at once, so each watcher gets a post 5 times a second, each post the readings of its window packed
 * into batch frames of up to 32 KB ({@link Frames#pack}); an audience above 500 connections is cut into
 * shards of 500, each posted by a worker invocation.
 */
public final class CostModel {

    private static final long SECONDS = 3600;
    private static final long MINUTES = 60;
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal MB_MS_PER_GB_S = BigDecimal.valueOf(1024L * 1000L);

    /**
     * The parameters both designs are costed with.
     *
     * @param envelopeBytes     a telemetry envelope as a watcher receives it
     * @param coalesceMillis    how long a coordinator gathers readings before it posts (new design)
     * @param coordinators      coordinator invocations at once (new design)
     * @param shardSize         connections a worker posts to (new design)
     * @param postsInFlight     posts one invocation keeps in flight
     * @param postMillis        how long one post takes (an assumption: a signed HTTPS call within the region)
     * @param batchSize         readings per receive from the queue (new design)
     * @param memoryMb          memory of the fan-out, coordinators and workers alike
     */
    public record Design(int envelopeBytes, int coalesceMillis, int coordinators, int shardSize, int postsInFlight,
                         int postMillis, int batchSize, int memoryMb) {

        /** The new design's parameters as given, and the fan-out's memory from the topology. */
        public static Design asGiven() {
            return new Design(200, 400, 2, 500, 100, 25, Topology.ReadingsQueue.BATCH_SIZE,
                    Topology.Function.FAN_OUT.memoryMb());
        }

        /** Posts each watcher gets a second: each of the coordinators posts once per window. */
        int postsPerWatcherPerSecond() {
            return coordinators * 1000 / coalesceMillis;
        }
    }

    /** A load: watchers connected, readings published a second. */
    public record Load(int watchers, int readingsPerSecond) {
    }

    /**
     * One hour of a design under a load, in billed units, and the rates that meet account limits.
     *
     * @param webSocketMessages     messages to watchers, 32 KB units
     * @param connectionMinutes     watchers' WebSocket connection minutes
     * @param iotMessages           readings published (each under 5 KB: one message)
     * @param rulesTriggered        one per reading
     * @param actionsExecuted       one per reading (Lambda action in the old design, SQS action in the new)
     * @param sqsRequests           SendMessage per reading, ReceiveMessage and DeleteMessageBatch per batch
     * @param lambdaRequests        invocations
     * @param gbSeconds             billed duration × memory
     * @param postsPerSecond        {@code @connections} calls a second (account quota 10,000 a second)
     * @param concurrency           Lambda invocations running at once, on average (account quota 1,000)
     * @param framesPerPost         messages each post to a watcher is packed into
     */
    public record Hour(String design, Load load, long webSocketMessages, long connectionMinutes, long iotMessages,
                       long rulesTriggered, long actionsExecuted, long sqsRequests, long lambdaRequests,
                       BigDecimal gbSeconds, long postsPerSecond, BigDecimal concurrency, int framesPerPost) {

        public BigDecimal apiGatewayCost(Prices p) {
            return perMillion(webSocketMessages, p.webSocketMessagesPerMillion())
                    .add(perMillion(connectionMinutes, p.webSocketConnectionMinutesPerMillion()));
        }

        public BigDecimal iotCost(Prices p) {
            return perMillion(iotMessages, p.iotMessagesPerMillion())
                    .add(perMillion(rulesTriggered, p.iotRulesTriggeredPerMillion()))
                    .add(perMillion(actionsExecuted, p.iotActionsExecutedPerMillion()));
        }

        public BigDecimal sqsCost(Prices p) {
            return perMillion(sqsRequests, p.sqsRequestsPerMillion());
        }

        public BigDecimal lambdaCost(Prices p) {
            return perMillion(lambdaRequests, p.lambdaRequestsPerMillion())
                    .add(gbSeconds.multiply(p.lambdaGbSecond(Topology.Function.FAN_OUT.architecture())));
        }

        public BigDecimal total(Prices p) {
            return apiGatewayCost(p).add(iotCost(p)).add(sqsCost(p)).add(lambdaCost(p));
        }
    }

    private CostModel() {
    }

    /** Every reading one invocation, posting it to every connection. */
    public static Hour oldDesign(Load load, Design d) {
        long readings = (long) load.readingsPerSecond() * SECONDS;
        int framesPerPost = Frames.pack(envelopes(1, d)).size();
        long invocationMillis = postingMillis(load.watchers(), framesPerPost, d);
        return new Hour("old", load,
                readings * load.watchers() * billedPerPost(1, d),
                load.watchers() * MINUTES,
                readings, readings, readings, 0,
                readings, gbSeconds(readings * invocationMillis, d),
                (long) load.readingsPerSecond() * load.watchers() * framesPerPost,
                millisToSeconds((long) load.readingsPerSecond() * invocationMillis),
                framesPerPost);
    }

    /** Readings through the queue, coalesced by 2 coordinators, large audiences in shards of 500. */
    public static Hour newDesign(Load load, Design d) {
        long readings = (long) load.readingsPerSecond() * SECONDS;
        int postsPerWatcher = d.postsPerWatcherPerSecond();
        int readingsPerPost = Math.ceilDiv(load.readingsPerSecond(), postsPerWatcher);
        int framesPerPost = Frames.pack(envelopes(readingsPerPost, d)).size();
        long coordinatorsPerHour = postsPerWatcher * SECONDS;

        List<Integer> shards = new ArrayList<>();
        if (load.watchers() > d.shardSize()) {
            for (int left = load.watchers(); left > 0; left -= d.shardSize()) {
                shards.add(Math.min(left, d.shardSize()));
            }
        }
        long coordinatorMillis = d.coalesceMillis() + (shards.isEmpty()
                ? postingMillis(load.watchers(), framesPerPost, d)
                // Handing a shard to a worker is one asynchronous Invoke, as long as a post.
                : (long) Math.ceilDiv(shards.size(), d.postsInFlight()) * d.postMillis());
        long workerMillisPerRound = 0;
        for (int shard : shards) {
            workerMillisPerRound += postingMillis(shard, framesPerPost, d);
        }
        long lambdaRequests = coordinatorsPerHour * (1 + shards.size());
        long billedMillis = coordinatorsPerHour * (coordinatorMillis + workerMillisPerRound);
        long batches = Math.ceilDiv(readings, d.batchSize());
        return new Hour("new", load,
                (long) load.watchers() * postsPerWatcher * SECONDS * billedPerPost(readingsPerPost, d),
                load.watchers() * MINUTES,
                readings, readings, readings,
                readings + 2 * batches,
                lambdaRequests, gbSeconds(billedMillis, d),
                (long) load.watchers() * postsPerWatcher * framesPerPost,
                millisToSeconds(d.coordinators() * 1000L + postsPerWatcher * workerMillisPerRound),
                framesPerPost);
    }

    /** The time one invocation takes to post {@code frames} messages to each of {@code connections}. */
    private static long postingMillis(int connections, int frames, Design d) {
        return (long) Math.ceilDiv((long) connections * frames, d.postsInFlight()) * d.postMillis();
    }

    /** Billed WebSocket messages of one post carrying {@code readings} envelopes, packed as the fan-out packs them. */
    private static long billedPerPost(int readings, Design d) {
        long billed = 0;
        for (String frame : Frames.pack(envelopes(readings, d))) {
            billed += BillingUnits.webSocketMessages(BillingUnits.utf8Length(frame));
        }
        return billed;
    }

    private static List<String> envelopes(int count, Design d) {
        // A JSON object of the envelope's size; only its length matters.
        String envelope = "{\"type\":\"telemetry\",\"pad\":\"" + "x".repeat(d.envelopeBytes() - 30) + "\"}";
        return Collections.nCopies(count, envelope);
    }

    private static BigDecimal gbSeconds(long billedMillis, Design d) {
        return BigDecimal.valueOf(billedMillis * d.memoryMb()).divide(MB_MS_PER_GB_S, 13, RoundingMode.UNNECESSARY)
                .stripTrailingZeros();
    }

    private static BigDecimal millisToSeconds(long millis) {
        return BigDecimal.valueOf(millis).movePointLeft(3).stripTrailingZeros();
    }

    private static BigDecimal perMillion(long quantity, BigDecimal pricePerMillion) {
        return BigDecimal.valueOf(quantity).multiply(pricePerMillion).divide(MILLION);
    }

    /** The loads of docs/cost.md: 1k, 10k and 100k watchers at 200 and 1,000 readings a second. */
    public static List<Load> loads() {
        List<Load> loads = new ArrayList<>();
        for (int watchers : new int[] {1_000, 10_000, 100_000}) {
            for (int rate : new int[] {200, 1_000}) {
                loads.add(new Load(watchers, rate));
            }
        }
        return loads;
    }

    /** The table of docs/cost.md. */
    public static String markdown(Prices prices, Design d) {
        StringBuilder out = new StringBuilder();
        out.append("| watchers | readings/s | design | WebSocket messages | API Gateway $ | Lambda requests | GB-s "
                + "| Lambda $ | SQS requests | SQS $ | IoT Core $ | **total $/hour** | `@connections` posts/s | "
                + "Lambda concurrency |\n");
        out.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Load load : loads()) {
            for (Hour h : List.of(oldDesign(load, d), newDesign(load, d))) {
                out.append(String.format("| %,d | %,d | %s | %,d | %s | %,d | %s | %s | %,d | %s | %s | **%s** | %,d%s | %s%s |%n",
                        load.watchers(), load.readingsPerSecond(), h.design(), h.webSocketMessages(),
                        dollars(h.apiGatewayCost(prices)), h.lambdaRequests(), grouped(h.gbSeconds()),
                        dollars(h.lambdaCost(prices)), h.sqsRequests(), dollars(h.sqsCost(prices)),
                        dollars(h.iotCost(prices)), dollars(h.total(prices)),
                        h.postsPerSecond(), h.postsPerSecond() > 10_000 ? " **over**" : "",
                        String.format("%,d", h.concurrency().setScale(0, RoundingMode.CEILING).longValueExact()),
                        h.concurrency().compareTo(BigDecimal.valueOf(1_000)) > 0 ? " **over**" : ""));
            }
        }
        return out.toString();
    }

    private static String dollars(BigDecimal usd) {
        return String.format("%,.2f", usd.setScale(2, RoundingMode.HALF_UP));
    }

    private static String grouped(BigDecimal quantity) {
        return String.format("%,.0f", quantity.setScale(0, RoundingMode.HALF_UP));
    }

    public static void main(String[] args) {
        Design d = Design.asGiven();
        Prices p = Prices.US_EAST_1;
        System.out.printf("Per hour, %s list prices read on %s (first tier, no free tier).%n%n", p.region(), p.readOn());
        System.out.print(markdown(p, d));
        System.out.printf("%nNew design: %d posts per watcher a second; a post carries readings/s / %d readings,"
                + " packed into frames of up to 32 KB; envelope %d B; coordinator window %d ms, %d at once;"
                + " shards of %d; %d posts in flight at %d ms each; %d MB.%n",
                d.postsPerWatcherPerSecond(), d.postsPerWatcherPerSecond(), d.envelopeBytes(), d.coalesceMillis(),
                d.coordinators(), d.shardSize(), d.postsInFlight(), d.postMillis(), d.memoryMb());
    }
}
