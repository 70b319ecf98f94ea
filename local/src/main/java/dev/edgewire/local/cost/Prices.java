package dev.edgewire.local.cost;

import dev.edgewire.contract.Topology;
import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * The AWS list prices the cost meter assumes, all in one place: a new price list is one edit of
 * {@link #US_EAST_1}. Prices are those of the first pricing tier in US East (N. Virginia), in US
 * dollars, before any free tier or savings plan.
 *
 * <p>Where each price comes from, as read on {@code readOn}. The stored copies of the AWS pricing
 * pages render their rate tables from client-side price tokens and show no numbers; where a number
 * was read from the page's own worked example, or only from a transcription of the page, the field
 * says so. {@link #unconfirmed()} lists the prices that could not be read from an AWS page at all.
 *
 * @param region                              the AWS region the prices are for
 * @param readOn                              the day the pricing pages were read
 * @param webSocketMessagesPerMillion         API Gateway WebSocket messages, sent and received, per
 *                                            million (32 KB units). https://aws.amazon.com/api-gateway/pricing/
 *                                            (read 2026-12-01): "$1.00" per million messages in the page's
 *                                            WebSocket example, the first billion a month; the same figure in
 *                                            a transcription of the page read 2026-09-20
 *                                            (github.com/api-evangelist/amazon-web-services,
 *                                            plans/amazon-web-services-plans-pricing.yml)
 * @param webSocketConnectionMinutesPerMillion API Gateway WebSocket connection minutes, per million: "$0.25",
 *                                            same page and example
 * @param iotMessagesPerMillion               AWS IoT Core messages (MQTT and HTTP, 5 KB units), per million:
 *                                            "$1/1,000,000 messages" for the first billion in the worked example
 *                                            of https://aws.amazon.com/iot-core/pricing/ (read 2026-12-01), which
 *                                            is priced for Europe (Ireland), not us-east-1
 * @param iotConnectionMinutesPerMillion      AWS IoT Core connectivity, per million minutes: "$0.08/1,000,000
 *                                            minutes of connection", same example, same caveat
 * @param iotRulesTriggeredPerMillion         AWS IoT Core rules triggered, per million: $0.15, not confirmed
 *                                            from a stored AWS page (the page's rate table shows no number); the
 *                                            figure this project's README has used since its first cost section
 * @param iotActionsExecutedPerMillion        AWS IoT Core rule actions executed, per million: $0.15, likewise
 *                                            not confirmed
 * @param sqsRequestsPerMillion               Amazon SQS standard-queue requests, per million: $0.40 for the first
 *                                            100 billion a month; the official page (https://aws.amazon.com/sqs/pricing/)
 *                                            is not in the stored copies, so not confirmed from AWS; read from
 *                                            cloudburn.io/blog/amazon-sqs-pricing (March 2026) and
 *                                            unanswered.io/guide/aws-sqs-pricing-and-cost-optimization
 * @param lambdaRequestsPerMillion            AWS Lambda requests, per million: "$0.20 per million requests"
 *                                            (https://aws.amazon.com/lambda/pricing/, read 2026-12-01 through the
 *                                            transcription github.com/api-evangelist/aws-lambda,
 *                                            plans/aws-lambda-plans-pricing.yml, read by it 2026-09-20)
 * @param lambdaGbSecondArm64                 AWS Lambda duration on arm64, per GB-second, first 7.5 billion GB-s a
 *                                            month: $0.0000133334 (the table of https://aws.amazon.com/lambda/pricing/
 *                                            as artillery 2.0.28 copies it in lib/platform/aws-lambda/prices.js,
 *                                            read 2026-12-01: 1333340 × 10^-11)
 * @param lambdaGbSecondX86                   AWS Lambda duration on x86_64, per GB-second: $0.0000166667, same
 *                                            source (1666670 × 10^-11)
 */
public record Prices(String region, LocalDate readOn,
                     BigDecimal webSocketMessagesPerMillion, BigDecimal webSocketConnectionMinutesPerMillion,
                     BigDecimal iotMessagesPerMillion, BigDecimal iotConnectionMinutesPerMillion,
                     BigDecimal iotRulesTriggeredPerMillion, BigDecimal iotActionsExecutedPerMillion,
                     BigDecimal sqsRequestsPerMillion,
                     BigDecimal lambdaRequestsPerMillion, BigDecimal lambdaGbSecondArm64, BigDecimal lambdaGbSecondX86) {

    /** The list prices of us-east-1, read on 2026-12-01 (see the record's description for each source). */
    public static final Prices US_EAST_1 = new Prices("us-east-1", LocalDate.of(2026, 12, 1),
            new BigDecimal("1.00"), new BigDecimal("0.25"),
            new BigDecimal("1.00"), new BigDecimal("0.08"),
            new BigDecimal("0.15"), new BigDecimal("0.15"),
            new BigDecimal("0.40"),
            new BigDecimal("0.20"), new BigDecimal("0.0000133334"), new BigDecimal("0.0000166667"));

    /** The price of a GB-second on this architecture. */
    public BigDecimal lambdaGbSecond(Topology.Architecture architecture) {
        return switch (architecture) {
            case ARM_64 -> lambdaGbSecondArm64;
            case X86_64 -> lambdaGbSecondX86;
        };
    }

    /** What could not be read from an AWS page, for the report and the docs. */
    public String unconfirmed() {
        return "IoT rules triggered and actions executed ($0.15 per million each) and SQS requests ($0.40 per million) "
                + "were not confirmed from an AWS pricing page; IoT messaging and connectivity were read from an "
                + "example priced for Europe (Ireland)";
    }
}
