package dev.edgewire.local.cost;

import dev.edgewire.contract.Topology.Function;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts, while local mode runs, what the same traffic would be billed on AWS: API Gateway WebSocket
 * messages (32 KB units, both directions) and connection minutes; AWS IoT Core messages (5 KB units,
 * in and out), connection minutes, rules triggered and actions executed; Amazon SQS requests (64 KB
 * chunks); Lambda requests and GB-seconds. The parts of local mode where each thing happens call it;
 * {@link BillingUnits} applies AWS's rounding. Safe to call from any thread.
 */
public final class CostMeter {

    /** What AWS IoT Core meters as messages (AWS IoT Core additional metering details). */
    public enum IotMessage {
        /** An MQTT CONNECT, metered on its Will and properties. */
        MQTT_CONNECT,
        /** An MQTT SUBSCRIBE, metered on its topic filters and user properties. */
        MQTT_SUBSCRIBE,
        /** An MQTT PUBLISH a device sent that the policy allowed, metered on payload, topic and properties. */
        MQTT_PUBLISH_IN,
        /** An MQTT PUBLISH IoT Core sent to a subscriber. */
        MQTT_PUBLISH_OUT,
        /** An MQTT PUBACK from a device (for a QoS 1 delivery): one message. */
        MQTT_PUBACK_IN,
        /** The body of an HTTPS request to the publish endpoint, a device's or the IoT Data Plane {@code Publish}. */
        HTTP_REQUEST,
        /** The body of the endpoint's answer, errors included. */
        HTTP_RESPONSE
    }

    private final LongSupplier clock;
    private final LongAdder webSocketMessagesIn = new LongAdder();
    private final LongAdder webSocketMessagesOut = new LongAdder();
    private final ConnectionMinutes webSocketConnections = new ConnectionMinutes();
    private final Map<IotMessage, LongAdder> iotMessages = new EnumMap<>(IotMessage.class);
    private final ConnectionMinutes iotConnections = new ConnectionMinutes();
    private final LongAdder rulesTriggered = new LongAdder();
    private final LongAdder actionsExecuted = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> sqsRequests = new ConcurrentHashMap<>();
    private final LongAdder emptyReceives = new LongAdder();
    private final LongAdder messageReceives = new LongAdder();
    private final Map<Function, LongAdder> lambdaRequests = new EnumMap<>(Function.class);
    private final Map<Function, LongAdder> lambdaBilledMillis = new EnumMap<>(Function.class);

    /** A meter on the system clock. */
    public CostMeter() {
        this(System::currentTimeMillis);
    }

    /** @param clock epoch milliseconds, for connection minutes */
    public CostMeter(LongSupplier clock) {
        this.clock = clock;
        for (IotMessage kind : IotMessage.values()) {
            iotMessages.put(kind, new LongAdder());
        }
        for (Function f : Function.values()) {
            lambdaRequests.put(f, new LongAdder());
            lambdaBilledMillis.put(f, new LongAdder());
        }
    }

    /** Epoch milliseconds on the meter's clock. */
    public long now() {
        return clock.getAsLong();
    }

    // ----- API Gateway

    /** A message a client sent on its WebSocket connection, of {@code bytes}. */
    public void webSocketMessageIn(long bytes) {
        webSocketMessagesIn.add(BillingUnits.webSocketMessages(bytes));
    }

    /** A message written to a client (a {@code @connections} post, or API Gateway's own error message). */
    public void webSocketMessageOut(long bytes) {
        webSocketMessagesOut.add(BillingUnits.webSocketMessages(bytes));
    }

    public void webSocketConnected(String connectionId, long atMillis) {
        webSocketConnections.opened(connectionId, atMillis);
    }

    public void webSocketDisconnected(String connectionId, long atMillis) {
        webSocketConnections.closed(connectionId, atMillis);
    }

    // ----- IoT Core

    /** One metered message of {@code meteredBytes} (what the kind is metered on, see {@link IotMessage}). */
    public void iotMessage(IotMessage kind, long meteredBytes) {
        iotMessages.get(kind).add(BillingUnits.iotMessages(meteredBytes));
    }

    /** @param key one connection, unique while it lasts */
    public void iotConnected(String key, long atMillis) {
        iotConnections.opened(key, atMillis);
    }

    public void iotDisconnected(String key, long atMillis) {
        iotConnections.closed(key, atMillis);
    }

    /**
     * A rule whose filter matched a message of {@code messageBytes}, with its one action. The pricing
     * page's free-tier example counts rules and actions on messages "5 KB or smaller", so both are metered
     * in 5 KB units of the message here.
     */
    public void ruleTriggered(long messageBytes) {
        rulesTriggered.add(BillingUnits.iotMessages(messageBytes));
    }

    /** A rule action run on a message of {@code messageBytes}: the rule's action, or its error action. */
    public void ruleActionExecuted(long messageBytes) {
        actionsExecuted.add(BillingUnits.iotMessages(messageBytes));
    }

    // ----- SQS

    /** The billed requests of one SQS API call ({@link SqsBilling}). */
    public void sqsCall(SqsBilling.Bill bill) {
        sqsRequests(bill.action(), bill.requests());
        if (bill.emptyReceive()) {
            emptyReceives.increment();
        } else if (bill.action().equals("ReceiveMessage")) {
            messageReceives.add(bill.requests());
        }
    }

    /**
     * Billed requests of one API action, already counted in 64 KB chunks.
     *
     * @param action the SQS action name, {@code SendMessage}, {@code ReceiveMessage}, ...
     */
    public void sqsRequests(String action, long requests) {
        sqsRequests.computeIfAbsent(action, a -> new LongAdder()).add(requests);
    }

    // ----- Lambda

    /** One invocation of {@code function} that ran {@code nanos}, at the memory its topology declares. */
    public void lambdaInvocation(Function function, long nanos) {
        lambdaRequests.get(function).increment();
        lambdaBilledMillis.get(function).add(BillingUnits.lambdaBilledMillis(nanos));
    }

    // ----- reading

    /** What was counted so far; connections still open are counted up to now. */
    public Usage usage() {
        long now = now();
        Map<IotMessage, Long> iot = new EnumMap<>(IotMessage.class);
        iotMessages.forEach((kind, n) -> iot.put(kind, n.sum()));
        Map<String, Long> sqs = new TreeMap<>();
        sqsRequests.forEach((action, n) -> sqs.put(action, n.sum()));
        Map<Function, Long> requests = new EnumMap<>(Function.class);
        Map<Function, Long> millis = new EnumMap<>(Function.class);
        lambdaRequests.forEach((f, n) -> requests.put(f, n.sum()));
        lambdaBilledMillis.forEach((f, n) -> millis.put(f, n.sum()));
        return new Usage(webSocketMessagesIn.sum(), webSocketMessagesOut.sum(), webSocketConnections.minutes(now),
                webSocketConnections.connections(), iot, iotConnections.minutes(now), iotConnections.connections(),
                rulesTriggered.sum(), actionsExecuted.sum(), sqs, emptyReceives.sum(), messageReceives.sum(), requests,
                millis);
    }

    /** The usage so far priced with {@code prices}. */
    public CostReport report(Prices prices) {
        return CostReport.of(usage(), prices);
    }
}
