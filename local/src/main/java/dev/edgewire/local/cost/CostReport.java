package dev.edgewire.local.cost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.Function;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's usage priced: one line per billed dimension (quantity, unit price, cost) and the total, as
 * the short table local mode prints when it stops and as JSON for benchmarks ({@code cost.json}).
 *
 * @param prices the prices and their date and region
 * @param usage  what was counted
 * @param lines  one per dimension, in a fixed order
 * @param total  the sum of the lines' costs, exact
 */
public record CostReport(Prices prices, Usage usage, List<Line> lines, BigDecimal total) {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /**
     * One billed dimension.
     *
     * @param key         a stable name for programs ({@code webSocketMessages}, {@code sqsRequests}, ...)
     * @param service     the AWS service
     * @param what        what is counted, for people
     * @param quantity    billed units
     * @param unitPrice   US dollars per {@code per} units
     * @param per         1,000,000 for prices per million, 1 for the GB-second
     * @param priceUnit   how the price is quoted, for people
     * @param cost        quantity × unit price / per, exact
     */
    public record Line(String key, String service, String what, BigDecimal quantity, BigDecimal unitPrice, long per,
                       String priceUnit, BigDecimal cost) {

        static Line perMillion(String key, String service, String what, long quantity, BigDecimal pricePerMillion,
                               String unit) {
            BigDecimal q = BigDecimal.valueOf(quantity);
            return new Line(key, service, what, q, pricePerMillion, 1_000_000, "per million " + unit,
                    q.multiply(pricePerMillion).divide(MILLION));
        }
    }

    /** Prices {@code usage}. */
    public static CostReport of(Usage usage, Prices prices) {
        List<Line> lines = new ArrayList<>();
        lines.add(Line.perMillion("webSocketMessages", "API Gateway",
                "WebSocket messages, 32 KB units (" + usage.webSocketMessagesIn() + " in, " + usage.webSocketMessagesOut() + " out)",
                usage.webSocketMessages(), prices.webSocketMessagesPerMillion(), "messages"));
        lines.add(Line.perMillion("webSocketConnectionMinutes", "API Gateway",
                "WebSocket connection minutes (connections: " + usage.webSocketConnections() + ")",
                usage.webSocketConnectionMinutes(), prices.webSocketConnectionMinutesPerMillion(), "minutes"));
        long iotIn = usage.iotMessagesTotal() - usage.iotMessages(CostMeter.IotMessage.MQTT_PUBLISH_OUT)
                - usage.iotMessages(CostMeter.IotMessage.HTTP_RESPONSE);
        lines.add(Line.perMillion("iotMessages", "IoT Core",
                "messages, 5 KB units (" + iotIn + " in, " + (usage.iotMessagesTotal() - iotIn) + " out)",
                usage.iotMessagesTotal(), prices.iotMessagesPerMillion(), "messages"));
        lines.add(Line.perMillion("iotConnectionMinutes", "IoT Core",
                "connection minutes (connections: " + usage.iotConnections() + ")",
                usage.iotConnectionMinutes(), prices.iotConnectionMinutesPerMillion(), "minutes"));
        lines.add(Line.perMillion("iotRulesTriggered", "IoT Core", "rules triggered, 5 KB units",
                usage.rulesTriggered(), prices.iotRulesTriggeredPerMillion(), "rules"));
        lines.add(Line.perMillion("iotActionsExecuted", "IoT Core", "rule actions executed, 5 KB units",
                usage.actionsExecuted(), prices.iotActionsExecutedPerMillion(), "actions"));
        lines.add(Line.perMillion("sqsRequests", "SQS",
                "requests, 64 KB chunks (empty receives: " + usage.sqsEmptyReceives() + ")",
                usage.sqsRequestsTotal(), prices.sqsRequestsPerMillion(), "requests"));
        lines.add(Line.perMillion("lambdaRequests", "Lambda", "requests", usage.lambdaRequestsTotal(),
                prices.lambdaRequestsPerMillion(), "requests"));
        for (Topology.Architecture architecture : architectures()) {
            BigDecimal gbSeconds = usage.gbSeconds(architecture);
            BigDecimal price = prices.lambdaGbSecond(architecture);
            lines.add(new Line("lambdaGbSeconds" + (architecture == Topology.Architecture.ARM_64 ? "Arm64" : "X86"),
                    "Lambda", "GB-seconds, " + architecture.lambdaName() + ", each invocation rounded up to 1 ms",
                    gbSeconds, price, 1, "per GB-second", gbSeconds.multiply(price)));
        }
        BigDecimal total = lines.stream().map(Line::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new CostReport(prices, usage, List.copyOf(lines), total);
    }

    /** The architectures the topology's functions run on, in declaration order. */
    private static Set<Topology.Architecture> architectures() {
        Set<Topology.Architecture> used = EnumSet.noneOf(Topology.Architecture.class);
        for (Function f : Function.values()) {
            used.add(f.architecture());
        }
        return used;
    }

    /** The short table local mode prints when it stops. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append("What this run would cost on AWS: ").append(prices.region()).append(" list prices as read on ")
                .append(prices.readOn()).append(", first tier, no free tier\n");
        String format = "  %-12s %-58s %14s  %-34s %12s%n";
        out.append(String.format(format, "service", "billed", "quantity", "unit price", "cost (USD)"));
        for (Line line : lines) {
            out.append(String.format(format, line.service(), line.what(), quantity(line.quantity()),
                    "$" + line.unitPrice().toPlainString() + " " + line.priceUnit(), money(line.cost())));
        }
        out.append(String.format(format, "total", "", "", "", money(total)));
        out.append("  Not confirmed from AWS: ").append(prices.unconfirmed()).append(".\n");
        return out.toString();
    }

    /** The report as JSON: region, date of the prices, each line, the total and what each line is made of. */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("region", prices.region());
        root.put("pricesReadOn", prices.readOn().toString());
        root.put("currency", "USD");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Line line : lines) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", line.key());
            row.put("service", line.service());
            row.put("billed", line.what());
            row.put("quantity", line.quantity());
            row.put("unitPriceUsd", line.unitPrice());
            row.put("per", line.per());
            row.put("costUsd", line.cost());
            rows.add(row);
        }
        root.put("lines", rows);
        root.put("totalUsd", total);
        root.put("unconfirmed", prices.unconfirmed());
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("webSocket", Map.of("messagesIn", usage.webSocketMessagesIn(), "messagesOut",
                usage.webSocketMessagesOut(), "connections", usage.webSocketConnections()));
        Map<String, Object> iot = new LinkedHashMap<>();
        for (CostMeter.IotMessage kind : CostMeter.IotMessage.values()) {
            iot.put(kind.name(), usage.iotMessages(kind));
        }
        detail.put("iotMessages", iot);
        detail.put("iotConnections", usage.iotConnections());
        detail.put("sqsRequests", new java.util.TreeMap<>(usage.sqsRequests()));
        detail.put("sqsEmptyReceives", usage.sqsEmptyReceives());
        detail.put("sqsMessageReceives", usage.sqsMessageReceives());
        Map<String, Object> lambda = new LinkedHashMap<>();
        for (Function f : Function.values()) {
            lambda.put(f.id(), Map.of("requests", usage.lambdaRequests(f),
                    "billedMillis", usage.lambdaBilledMillis().getOrDefault(f, 0L),
                    "memoryMb", f.memoryMb(), "architecture", f.architecture().lambdaName()));
        }
        detail.put("lambda", lambda);
        root.put("detail", detail);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the report cannot be written as JSON", e);
        }
    }

    /** Writes {@link #json()} to {@code file}, replacing it. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = parent.resolve(file.getFileName() + ".partial");
        Files.writeString(partial, json());
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String quantity(BigDecimal q) {
        return q.scale() <= 0 ? String.format("%,d", q.longValueExact()) : q.setScale(3, RoundingMode.HALF_UP).toPlainString();
    }

    private static String money(BigDecimal usd) {
        return usd.setScale(8, RoundingMode.HALF_UP).toPlainString();
    }
}
