package dev.edgewire.local.cost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.Function;
import dev.edgewire.local.cost.CostMeter.IotMessage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostReportTest {

    private final AtomicLong clock = new AtomicLong();
    private final CostMeter meter = new CostMeter(clock::get);

    /**
     * A small run whose every line was priced by hand with the prices of 2026-12-01 (per million:
     * WebSocket messages $1.00, connection minutes $0.25, IoT messages $1.00, IoT minutes $0.08, rules and
     * actions $0.15, SQS $0.40, Lambda requests $0.20; arm64 $0.0000133334 per GB-s).
     */
    private CostReport knownRun() {
        meter.webSocketMessageIn(200);
        meter.webSocketMessageIn(200);
        meter.webSocketMessageIn(200);
        meter.webSocketMessageOut(40_000);             // 2 messages: 5 in all
        meter.webSocketConnected("a", 0);
        meter.webSocketDisconnected("a", 90_000);      // 2 minutes
        meter.webSocketConnected("b", 0);              // still open at 30 s: 1 minute
        meter.iotMessage(IotMessage.MQTT_PUBLISH_IN, 300);    // 1
        meter.iotMessage(IotMessage.HTTP_REQUEST, 8_192);     // 2
        meter.iotMessage(IotMessage.HTTP_RESPONSE, 60);       // 1
        meter.iotMessage(IotMessage.MQTT_PUBLISH_OUT, 6_000); // 2: 6 messages, 3 in, 3 out
        meter.iotConnected("c", 0);
        meter.iotDisconnected("c", 120_000);           // 2 minutes
        meter.ruleTriggered(200);
        meter.ruleTriggered(6_000);                    // 1 + 2 = 3
        meter.ruleActionExecuted(200);
        meter.ruleActionExecuted(6_000);               // 3
        meter.sqsCall(new SqsBilling.Bill("SendMessage", 10, false));
        meter.sqsCall(new SqsBilling.Bill("ReceiveMessage", 2, false));
        meter.sqsCall(new SqsBilling.Bill("ReceiveMessage", 1, true));
        meter.sqsCall(new SqsBilling.Bill("ReceiveMessage", 1, true));
        meter.sqsCall(new SqsBilling.Bill("DeleteMessageBatch", 1, false));    // 15 requests
        meter.lambdaInvocation(Function.FAN_OUT, 27_550_000);   // 28 ms at 1,024 MB = 0.028 GB-s
        meter.lambdaInvocation(Function.CONNECT, 9_200_000);    // 10 ms at 512 MB = 0.005 GB-s
        clock.set(30_000);
        return meter.report(Prices.US_EAST_1);
    }

    @Test
    void eachLine_isItsQuantityTimesItsPrice_andTheTotalTheirSum() {
        CostReport report = knownRun();
        Map<String, CostReport.Line> lines = report.lines().stream()
                .collect(Collectors.toMap(CostReport.Line::key, l -> l));

        assertLine(lines.get("webSocketMessages"), "5", "0.000005");
        assertLine(lines.get("webSocketConnectionMinutes"), "3", "0.00000075");
        assertLine(lines.get("iotMessages"), "6", "0.000006");
        assertLine(lines.get("iotConnectionMinutes"), "2", "0.00000016");
        assertLine(lines.get("iotRulesTriggered"), "3", "0.00000045");
        assertLine(lines.get("iotActionsExecuted"), "3", "0.00000045");
        assertLine(lines.get("sqsRequests"), "15", "0.000006");
        assertLine(lines.get("lambdaRequests"), "2", "0.0000004");
        // 0.033 GB-s x $0.0000133334
        assertLine(lines.get("lambdaGbSecondsArm64"), "0.033", "0.0000004400022");
        assertThat(report.lines()).hasSize(9);
        assertThat(report.total()).isEqualByComparingTo("0.0000196500022");
    }

    @Test
    void gbSeconds_areBilledMillisecondsTimesTheFunctionsConfiguredMemory() {
        meter.lambdaInvocation(Function.FAN_OUT, 1);                // 1 ms at 1,024 MB
        meter.lambdaInvocation(Function.AUTHORIZER, 1_000_000_001);  // 1,001 ms at 512 MB
        Usage usage = meter.usage();
        assertThat(Function.FAN_OUT.memoryMb()).isEqualTo(1024);
        assertThat(Function.AUTHORIZER.memoryMb()).isEqualTo(512);
        // (1 x 1024 + 1001 x 512) / 1024 / 1000 = 0.5015
        assertThat(usage.gbSeconds(Topology.Architecture.ARM_64)).isEqualByComparingTo("0.5015");
        assertThat(usage.gbSeconds(Topology.Architecture.X86_64)).isEqualByComparingTo("0");
        assertThat(usage.lambdaRequestsTotal()).isEqualTo(2);
    }

    @Test
    void table_showsEveryLine_thePrices_theirDateAndRegion_andTheTotal() {
        String table = knownRun().table();

        assertThat(table).contains("us-east-1").contains("2026-12-01");
        assertThat(table.lines().filter(l -> l.startsWith("  API Gateway") || l.startsWith("  IoT Core")
                || l.startsWith("  SQS") || l.startsWith("  Lambda"))).hasSize(9);
        assertThat(table).containsPattern("WebSocket messages, 32 KB units \\(3 in, 2 out\\) +5 +\\$1\\.00 per million messages +0\\.00000500");
        assertThat(table).containsPattern("requests, 64 KB chunks \\(empty receives: 2\\) +15 +\\$0\\.40 per million requests +0\\.00000600");
        assertThat(table).containsPattern("GB-seconds, arm64.* +0\\.033 +\\$0\\.0000133334 per GB-second +0\\.00000044");
        assertThat(table).containsPattern("(?m)^  total +0\\.00001965$");
        assertThat(table).contains("Not confirmed from AWS");
    }

    @Test
    void json_carriesTheLinesTheTotalAndTheDetail_forBenchmarks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cost.json");
        knownRun().write(file);

        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.get("region").asText()).isEqualTo("us-east-1");
        assertThat(json.get("pricesReadOn").asText()).isEqualTo("2026-12-01");
        assertThat(json.get("totalUsd").decimalValue()).isEqualByComparingTo("0.0000196500022");
        assertThat(json.get("lines")).hasSize(9);
        assertThat(json.get("lines").get(0).get("key").asText()).isEqualTo("webSocketMessages");
        assertThat(json.get("lines").get(0).get("quantity").asLong()).isEqualTo(5);
        assertThat(json.at("/detail/sqsRequests/SendMessage").asLong()).isEqualTo(10);
        assertThat(json.at("/detail/sqsEmptyReceives").asLong()).isEqualTo(2);
        assertThat(json.at("/detail/sqsRequests/ReceiveMessage").asLong()).isEqualTo(4);
        assertThat(json.at("/detail/iotMessages/HTTP_REQUEST").asLong()).isEqualTo(2);
        assertThat(json.at("/detail/lambda/FanOut/billedMillis").asLong()).isEqualTo(28);
        assertThat(json.at("/detail/lambda/FanOut/memoryMb").asInt()).isEqualTo(1024);
        assertThat(Files.readString(file)).doesNotContain("E-").doesNotContain("E+");
    }

    @Test
    void theMeter_losesNoCount_whenManyThreadsCountAtOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.execute(() -> {
                for (int i = 0; i < 10_000; i++) {
                    meter.webSocketMessageOut(100);
                    meter.sqsRequests(i % 2 == 0 ? "SendMessage" : "ReceiveMessage", 1);
                    meter.lambdaInvocation(Function.FAN_OUT, 500_000);
                    meter.webSocketConnected(thread + "-" + i, 0);
                    meter.webSocketDisconnected(thread + "-" + i, 1);
                }
            });
        }
        threads.shutdown();
        assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        Usage usage = meter.usage();
        assertThat(usage.webSocketMessagesOut()).isEqualTo(80_000);
        assertThat(usage.sqsRequests("SendMessage")).isEqualTo(40_000);
        assertThat(usage.sqsRequestsTotal()).isEqualTo(80_000);
        assertThat(usage.lambdaRequests(Function.FAN_OUT)).isEqualTo(80_000);
        assertThat(usage.webSocketConnectionMinutes()).isEqualTo(80_000);
        assertThat(usage.webSocketConnections()).isEqualTo(80_000);
    }

    private static void assertLine(CostReport.Line line, String quantity, String cost) {
        assertThat(line.quantity()).as(line.key() + " quantity").isEqualByComparingTo(new BigDecimal(quantity));
        assertThat(line.cost()).as(line.key() + " cost").isEqualByComparingTo(new BigDecimal(cost));
    }
}
