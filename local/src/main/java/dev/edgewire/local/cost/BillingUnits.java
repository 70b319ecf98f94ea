package dev.edgewire.local.cost;

import dev.edgewire.runtime.Utf8;

/**
 * How AWS turns sizes and durations into billed units. Each rule cites the page it was read from on
 * 2026-12-01. A KB is taken as 1,024 bytes; the pages write "KB" without saying, and their examples
 * (a 33 KB WebSocket message is two, an 8 KB IoT message is two, a 256 KB SQS payload is four) hold
 * either way.
 */
public final class BillingUnits {

    /**
     * API Gateway WebSocket messages "are metered in 32KB increments, so a 33KB message is metered as
     * two messages", sent and received alike (https://aws.amazon.com/api-gateway/pricing/, read
     * 2026-12-01).
     */
    public static final int WEBSOCKET_MESSAGE_BYTES = 32 * 1024;
    /**
     * AWS IoT Core meters MQTT and HTTP messages in 5 KB increments: an MQTT PUBLISH on the size of its
     * payload and topic (plus, on MQTT 5, user properties, response topic, correlation data and content
     * type), an HTTP request or response on its body, a CONNECT on its Will and properties, a SUBSCRIBE on
     * its topics, a PUBACK from a device as one message (https://aws.amazon.com/iot-core/pricing/additional-details/,
     * read 2026-12-01).
     */
    public static final int IOT_MESSAGE_BYTES = 5 * 1024;
    /**
     * Amazon SQS bills every API action as a request, and "each 64 KB chunk of a payload" as one request:
     * a single call with a 256 KB payload is four (https://aws.amazon.com/jp/sqs/features/, "ペイロードサイズ",
     * read 2026-12-01; the English pricing page says the same but is not in the stored copies). A batch of
     * up to ten messages is one call, so one request per 64 KB of the whole batch.
     */
    public static final int SQS_CHUNK_BYTES = 64 * 1024;

    private static final long NANOS_PER_MILLI = 1_000_000;
    private static final long MILLIS_PER_MINUTE = 60_000;

    private BillingUnits() {
    }

    /** WebSocket messages billed for one message of {@code bytes}: at least one. */
    public static long webSocketMessages(long bytes) {
        return units(bytes, WEBSOCKET_MESSAGE_BYTES);
    }

    /** IoT Core messages billed for one MQTT packet or HTTP body of {@code bytes} metered bytes: at least one. */
    public static long iotMessages(long bytes) {
        return units(bytes, IOT_MESSAGE_BYTES);
    }

    /** SQS requests billed for one API call carrying {@code payloadBytes} of messages: at least one. */
    public static long sqsRequests(long payloadBytes) {
        return units(payloadBytes, SQS_CHUNK_BYTES);
    }

    /**
     * Lambda's billed duration: "rounded up to the nearest millisecond with no minimum execution time"
     * (AWS News Blog, "New for AWS Lambda – 1ms Billing Granularity Adds Cost Savings",
     * https://aws.amazon.com/blogs/aws/new-for-aws-lambda-1ms-billing-granularity-adds-cost-savings/,
     * read 2026-12-01). Any time at all is at least 1 ms.
     */
    public static long lambdaBilledMillis(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a duration cannot be negative: " + nanos);
        }
        return Math.max(1, Math.ceilDiv(nanos, NANOS_PER_MILLI));
    }

    /**
     * Connection minutes of one connection that lasted {@code millis}, rounded up to whole minutes, at
     * least one. Neither pricing page in the stored copies says how a part of a minute is metered; AWS IoT
     * Core's is described as metered "in 1-minute units" by a summary of its pricing page
     * (qiita.com/thetsuthetsu/items/c0d5c01834965f853034, read 2026-12-01). Both services are metered
     * this way here: an assumption, not confirmed from AWS.
     */
    public static long connectionMinutes(long millis) {
        return Math.max(1, Math.ceilDiv(Math.max(0, millis), MILLIS_PER_MINUTE));
    }

    /** The UTF-8 length of {@code text}, without encoding it: what a text frame or body of it weighs. */
    public static int utf8Length(String text) {
        return Math.toIntExact(Utf8.length(text));
    }

    static long units(long bytes, int unit) {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative: " + bytes);
        }
        return Math.max(1, Math.ceilDiv(bytes, unit));
    }
}
