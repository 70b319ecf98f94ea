package dev.edgewire.local.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Topology.Function;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What Lambda sends to an asynchronous invocation's on-failure destination: the invocation record of
 * the Lambda Developer Guide, "Capturing records of Lambda asynchronous invocations", with the event as
 * {@code requestPayload} and the function's error as {@code responsePayload}, as the Java runtime reports
 * an unhandled exception ({@code errorMessage}, {@code errorType}).
 */
public final class InvocationRecord {

    /** Why Lambda gave up on an event: every attempt failed. */
    public static final String RETRIES_EXHAUSTED = "RetriesExhausted";

    private InvocationRecord() {
    }

    /**
     * The record of an event whose every attempt failed.
     *
     * @param requestId the invocation's request id, the same for every attempt
     * @param attempts  how many times the function ran with the event
     * @param event     the event, as the function received it
     * @param error     what the last attempt threw
     */
    public static ObjectNode retriesExhausted(ObjectMapper mapper, Function function, String requestId, int attempts,
                                              JsonNode event, Throwable error, Instant at) {
        ObjectNode record = mapper.createObjectNode();
        record.put("version", "1.0");
        record.put("timestamp", at.truncatedTo(ChronoUnit.MILLIS).toString());
        ObjectNode request = record.putObject("requestContext");
        request.put("requestId", requestId);
        request.put("functionArn", LocalLambdas.functionArn(function) + ":$LATEST");
        request.put("condition", RETRIES_EXHAUSTED);
        request.put("approximateInvokeCount", attempts);
        record.set("requestPayload", event);
        ObjectNode response = record.putObject("responseContext");
        response.put("statusCode", 200);
        response.put("executedVersion", "$LATEST");
        response.put("functionError", "Unhandled");
        ObjectNode payload = record.putObject("responsePayload");
        payload.put("errorMessage", String.valueOf(error.getMessage()));
        payload.put("errorType", error.getClass().getName());
        return record;
    }
}
