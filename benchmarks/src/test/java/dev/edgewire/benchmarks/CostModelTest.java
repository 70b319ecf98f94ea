package dev.edgewire.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.benchmarks.CostModel.Design;
import dev.edgewire.benchmarks.CostModel.Hour;
import dev.edgewire.benchmarks.CostModel.Load;
import dev.edgewire.local.cost.Prices;
import org.junit.jupiter.api.Test;

/** Cells of docs/cost.md's table, worked by hand. */
class CostModelTest {

    private static final Prices PRICES = Prices.US_EAST_1;
    private static final Design DESIGN = Design.asGiven();

    /**
     * New design, 10,000 watchers, 200 readings/s, one hour:
     * 5 posts per watcher a second of 40 readings (about 8 KB, one frame): 10,000 x 5 x 3,600 = 180,000,000
     * WebSocket messages ($180.00) and 600,000 connection minutes ($0.15); 720,000 readings: IoT messages
     * $0.72, rules $0.108, actions $0.108; SQS 720,000 SendMessage + 72,000 ReceiveMessage + 72,000
     * DeleteMessageBatch = 864,000 ($0.3456); Lambda 18,000 coordinators (0.4 s + one round of 20 Invokes at
     * 25 ms = 425 ms) and 18,000 x 20 = 360,000 workers (500 posts, 100 in flight, 25 ms: 125 ms), 378,000
     * requests ($0.0756) and 18,000 x 0.425 + 360,000 x 0.125 = 52,650 GB-s at 1 GB (x $0.0000133334 =
     * $0.70200351). Total $182.20920351.
     */
    @Test
    void newDesign_10kWatchers_200ReadingsPerSecond_asWorkedByHand() {
        Hour h = CostModel.newDesign(new Load(10_000, 200), DESIGN);

        assertThat(h.framesPerPost()).isEqualTo(1);
        assertThat(h.webSocketMessages()).isEqualTo(180_000_000L);
        assertThat(h.connectionMinutes()).isEqualTo(600_000L);
        assertThat(h.iotMessages()).isEqualTo(720_000L);
        assertThat(h.sqsRequests()).isEqualTo(864_000L);
        assertThat(h.lambdaRequests()).isEqualTo(378_000L);
        assertThat(h.gbSeconds()).isEqualByComparingTo("52650");
        assertThat(h.apiGatewayCost(PRICES)).isEqualByComparingTo("180.15");
        assertThat(h.iotCost(PRICES)).isEqualByComparingTo("0.936");
        assertThat(h.sqsCost(PRICES)).isEqualByComparingTo("0.3456");
        assertThat(h.lambdaCost(PRICES)).isEqualByComparingTo("0.77760351");
        assertThat(h.total(PRICES)).isEqualByComparingTo("182.20920351");
        // 10,000 x 5 posts a second: five times API Gateway's account quota of 10,000 requests a second.
        assertThat(h.postsPerSecond()).isEqualTo(50_000L);
        // 2 coordinators + 5 rounds a second x 20 workers x 0.125 s.
        assertThat(h.concurrency()).isEqualByComparingTo("14.5");
    }

    /**
     * Old design, 1,000 watchers, 200 readings/s: 720,000 invocations, each posting to 1,000 connections
     * (10 rounds of 100 at 25 ms: 250 ms): 720,000,000 messages ($720.00) and 60,000 connection minutes
     * ($0.015); IoT as above ($0.936); no SQS; Lambda 720,000 requests ($0.144) and 180,000 GB-s
     * ($2.400012). Total $723.495012.
     */
    @Test
    void oldDesign_1kWatchers_200ReadingsPerSecond_asWorkedByHand() {
        Hour h = CostModel.oldDesign(new Load(1_000, 200), DESIGN);

        assertThat(h.webSocketMessages()).isEqualTo(720_000_000L);
        assertThat(h.sqsRequests()).isZero();
        assertThat(h.lambdaRequests()).isEqualTo(720_000L);
        assertThat(h.gbSeconds()).isEqualByComparingTo("180000");
        assertThat(h.total(PRICES)).isEqualByComparingTo("723.495012");
        assertThat(h.postsPerSecond()).isEqualTo(200_000L);
        assertThat(h.concurrency()).isEqualByComparingTo("50");
    }

    @Test
    void at1000ReadingsPerSecond_aPostsReadingsNoLongerFitOneFrame_andAreBilledAsTwo() {
        // 200 readings of 200 B are about 40 KB: two frames of at most 32 KB.
        Hour h = CostModel.newDesign(new Load(1_000, 1_000), DESIGN);
        assertThat(h.framesPerPost()).isEqualTo(2);
        assertThat(h.webSocketMessages()).isEqualTo(1_000L * 5 * 3_600 * 2);
    }

    @Test
    void theTable_hasARowPerDesignAndLoad_andMarksWhatIsOverTheAccountQuotas() {
        String table = CostModel.markdown(PRICES, DESIGN);
        assertThat(table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| watchers"))).hasSize(12);
        assertThat(table).contains("| 10,000 | 200 | new | 180,000,000 | 180.15 |");
        assertThat(table).contains("**182.21**");
        assertThat(table).contains("50,000 **over**");
    }
}
