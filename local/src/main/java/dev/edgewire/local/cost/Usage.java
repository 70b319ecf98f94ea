package dev.edgewire.local.cost;

import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.Function;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Billed quantities of a run, in AWS's units: messages and requests already rounded up to their size
 * units, connection minutes per connection, Lambda's billed milliseconds per function.
 *
 * @param webSocketMessagesIn      WebSocket messages clients sent (32 KB units)
 * @param webSocketMessagesOut     WebSocket messages written to clients (32 KB units)
 * @param webSocketConnectionMinutes WebSocket connection minutes, each connection rounded up to a minute
 * @param webSocketConnections     WebSocket connections opened
 * @param iotMessages              IoT Core messages by kind (5 KB units)
 * @param iotConnectionMinutes     MQTT connection minutes, each connection rounded up to a minute
 * @param iotConnections           MQTT connections opened
 * @param rulesTriggered           IoT rules triggered (5 KB units of the message)
 * @param actionsExecuted          IoT rule actions executed (5 KB units of the message)
 * @param sqsRequests              SQS requests by action, in 64 KB chunks
 * @param sqsEmptyReceives         of the ReceiveMessage requests, those that returned nothing
 * @param sqsMessageReceives       of the ReceiveMessage requests, those billed for receives that returned messages
 * @param lambdaRequests           invocations by function
 * @param lambdaBilledMillis       billed milliseconds by function (each invocation rounded up to 1 ms)
 */
public record Usage(long webSocketMessagesIn, long webSocketMessagesOut, long webSocketConnectionMinutes,
                    long webSocketConnections, Map<CostMeter.IotMessage, Long> iotMessages,
                    long iotConnectionMinutes, long iotConnections, long rulesTriggered, long actionsExecuted,
                    Map<String, Long> sqsRequests, long sqsEmptyReceives, long sqsMessageReceives,
                    Map<Function, Long> lambdaRequests, Map<Function, Long> lambdaBilledMillis) {

    private static final BigDecimal MB_MILLIS_PER_GB_SECOND = BigDecimal.valueOf(1024L * 1000L);

    public Usage {
        iotMessages = Map.copyOf(iotMessages);
        sqsRequests = Map.copyOf(sqsRequests);
        lambdaRequests = Map.copyOf(lambdaRequests);
        lambdaBilledMillis = Map.copyOf(lambdaBilledMillis);
    }

    public long webSocketMessages() {
        return webSocketMessagesIn + webSocketMessagesOut;
    }

    public long iotMessagesTotal() {
        return iotMessages.values().stream().mapToLong(Long::longValue).sum();
    }

    public long iotMessages(CostMeter.IotMessage kind) {
        return iotMessages.getOrDefault(kind, 0L);
    }

    public long sqsRequestsTotal() {
        return sqsRequests.values().stream().mapToLong(Long::longValue).sum();
    }

    public long sqsRequests(String action) {
        return sqsRequests.getOrDefault(action, 0L);
    }

    public long lambdaRequestsTotal() {
        return lambdaRequests.values().stream().mapToLong(Long::longValue).sum();
    }

    public long lambdaRequests(Function function) {
        return lambdaRequests.getOrDefault(function, 0L);
    }

    /**
     * GB-seconds of the functions on {@code architecture}: billed milliseconds times the memory the
     * topology gives each function, 1 GB being 1,024 MB. Exact: 1,024,000 MB-ms is 2^13 x 5^3, so 13
     * decimals always hold the quotient.
     */
    public BigDecimal gbSeconds(Topology.Architecture architecture) {
        long mbMillis = 0;
        for (Map.Entry<Function, Long> e : lambdaBilledMillis.entrySet()) {
            if (e.getKey().architecture() == architecture) {
                mbMillis += e.getValue() * e.getKey().memoryMb();
            }
        }
        return BigDecimal.valueOf(mbMillis).divide(MB_MILLIS_PER_GB_SECOND, 13, RoundingMode.UNNECESSARY)
                .stripTrailingZeros();
    }
}
