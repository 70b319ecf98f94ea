package dev.edgewire.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Topology;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InvocationRecordTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void retriesExhausted_hasTheShapeOfLambdasInvocationRecord_withTheEventAndTheError() throws Exception {
        JsonNode event = JSON.readTree("{\"deviceId\":\"thing-1\",\"seq\":3,\"topic\":\"devices/thing-1/telemetry\"}");

        JsonNode record = InvocationRecord.retriesExhausted(JSON, Topology.Function.FAN_OUT, "req-1", 3, event,
                new IllegalStateException("table unreachable"), Instant.parse("2026-12-01T10:00:00.123456789Z"));

        assertThat(record).isEqualTo(JSON.readTree("""
                {"version":"1.0","timestamp":"2026-12-01T10:00:00.123Z",
                 "requestContext":{"requestId":"req-1",
                   "functionArn":"arn:aws:lambda:local:000000000000:function:edgewire-FanOut:$LATEST",
                   "condition":"RetriesExhausted","approximateInvokeCount":3},
                 "requestPayload":{"deviceId":"thing-1","seq":3,"topic":"devices/thing-1/telemetry"},
                 "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
                 "responsePayload":{"errorMessage":"table unreachable","errorType":"java.lang.IllegalStateException"}}
                """));
    }
}
