package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.runtime.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LambdaContinuationTest {

    @Test
    void split_keepsEveryEventUnderTheLimit_andNamesEveryConnectionOnce() {
        String payload = "{\"type\":\"message\",\"message\":\"" + "x".repeat(100_000) + "\"}";
        List<String> ids = IntStream.range(0, 20_000).mapToObj(i -> "conn-" + i + "-AbCdEfGhIj=").toList();

        List<ContinuationEvent> events = LambdaContinuation.split(payload, ids, 3, LambdaContinuation.MAX_EVENT_BYTES);

        assertThat(events).hasSizeGreaterThan(1);
        assertThat(events).allSatisfy(e -> assertThat(Json.write(e.toEvent()).getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(LambdaContinuation.MAX_EVENT_BYTES));
        List<String> all = new ArrayList<>();
        events.forEach(e -> all.addAll(e.connectionIds()));
        assertThat(all).containsExactlyElementsOf(ids);
        assertThat(events).allSatisfy(e -> assertThat(e.payload()).isEqualTo(payload));
        assertThat(events).allSatisfy(e -> assertThat(e.attempt()).isEqualTo(3));
    }

    @Test
    void continuationEvent_roundTripsThroughItsJson() throws Exception {
        ContinuationEvent event = new ContinuationEvent("{\"a\":1}", List.of("x", "y"), 2);
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = Json.MAPPER.readValue(Json.write(event.toEvent()), Map.class);

        assertThat(ContinuationEvent.from(parsed)).isEqualTo(event);
        assertThat(ContinuationEvent.from(Map.of("continuation", Map.of("payload", 1)))).isNull();
        // Without an attempt it is a first one; a count below 1 is not a continuation.
        assertThat(ContinuationEvent.from(Map.of("continuation", Map.of("payload", "p", "connectionIds", List.of("x")))))
                .isEqualTo(new ContinuationEvent("p", List.of("x"), 1));
        assertThat(ContinuationEvent.from(Map.of("continuation", Map.of("payload", "p", "connectionIds", List.of("x"),
                "attempt", 0)))).isNull();
        assertThat(ContinuationEvent.from(Map.of("continuation", event.toEvent().get("continuation"), "topic", "t")))
                .isNull();
    }
}
