package dev.edgewire.local.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Metrics;
import dev.edgewire.runtime.FunctionMetrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

class OperationsFiguresTest {

    private static final long T0 = Instant.parse("2026-12-02T03:00:00Z").toEpochMilli();

    /** What a function writes: the stage as the only dimension, counts and a lag in one document. */
    private static String document(long timestampMs, String metricsJson, String valuesJson) {
        return "{\"_aws\":{\"Timestamp\":" + timestampMs + ",\"CloudWatchMetrics\":[{\"Namespace\":\"edgewire\","
                + "\"Metrics\":[" + metricsJson + "],\"Dimensions\":[[\"Stage\"]]}]},\"Stage\":\"demo\"," + valuesJson + "}";
    }

    private static String fanOut(long timestampMs, int readingsIn, int readingsDelivered, int connections, long lagMs) {
        return document(timestampMs,
                "{\"Name\":\"ReadingsIn\",\"Unit\":\"Count\"},{\"Name\":\"ReadingsDelivered\",\"Unit\":\"Count\"},"
                        + "{\"Name\":\"Connections\",\"Unit\":\"Count\"},{\"Name\":\"FanOutLag\",\"Unit\":\"Milliseconds\"}",
                "\"ReadingsIn\":" + readingsIn + ",\"ReadingsDelivered\":" + readingsDelivered + ",\"Connections\":"
                        + connections + ",\"FanOutLag\":" + lagMs);
    }

    private static OperationsFigures at(long nowMs) {
        return new OperationsFigures(Clock.fixed(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC), "demo");
    }

    @Test
    void counts_areSummedPerSecondOfTheirOwnTimestamp_andAveragedOverTheCompleteSecondsOfTheWindow() {
        OperationsFigures figures = at(T0 + 5_500);
        figures.accept(fanOut(T0 + 100, 10, 20, 2, 300));
        figures.accept(fanOut(T0 + 900, 10, 20, 2, 100));
        figures.accept(fanOut(T0 + 3_200, 30, 60, 2, 50));
        // The current second is not complete: left out of the rate.
        figures.accept(fanOut(T0 + 5_100, 1_000, 2_000, 2, 10));

        assertThat(figures.perSecond(Metrics.READINGS_IN)).isEqualTo(50.0 / OperationsFigures.WINDOW_SECONDS);
        assertThat(figures.perSecond(Metrics.READINGS_DELIVERED)).isEqualTo(100.0 / OperationsFigures.WINDOW_SECONDS);
        assertThat(figures.total(Metrics.READINGS_IN)).isEqualTo(1_050);
    }

    @Test
    void lagAndConnections_areReadAsTheirMaximum_notSummed() {
        OperationsFigures figures = at(T0 + 2_000);
        // Two pollers deliver in the same second to the same three watchers.
        figures.accept(fanOut(T0 + 1_100, 5, 15, 3, 250));
        figures.accept(fanOut(T0 + 1_400, 5, 15, 3, 900));

        assertThat(figures.maximum(Metrics.FAN_OUT_LAG)).isEqualTo(900.0);
        assertThat(figures.latest(Metrics.CONNECTIONS)).isEqualTo(3.0);
        assertThat(figures.toJson().get("connections").asLong()).isEqualTo(3);
        assertThat(figures.toJson().get("fanOutLagMs").asLong()).isEqualTo(900);
    }

    @Test
    void connections_areTheLatestSecondsFigure_evenWhenItIsLower() {
        OperationsFigures figures = at(T0 + 60_000);
        figures.accept(fanOut(T0 + 1_000, 1, 5, 5, 10));
        figures.accept(fanOut(T0 + 9_000, 1, 2, 2, 10));

        assertThat(figures.toJson().get("connections").asLong()).isEqualTo(2);
        // Outside the window: no lag to show, and no rate.
        assertThat(figures.toJson().get("fanOutLagMs").isNull()).isTrue();
        assertThat(figures.perSecond(Metrics.READINGS_IN)).isZero();
    }

    @Test
    void failedPosts_areTotalsSinceStart_andOtherFunctionsMetricsAreKeptToo() {
        OperationsFigures figures = at(T0 + 1_000);
        figures.accept(document(T0, "{\"Name\":\"PostsGone\",\"Unit\":\"Count\"},{\"Name\":\"PostsFailed\",\"Unit\":\"Count\"}",
                "\"PostsGone\":2,\"PostsFailed\":1"));
        figures.accept(document(T0 + 10, "{\"Name\":\"PostsGone\",\"Unit\":\"Count\"}", "\"PostsGone\":3"));
        figures.accept(document(T0 + 20, "{\"Name\":\"AuthorizerDeny\",\"Unit\":\"Count\"}", "\"AuthorizerDeny\":1"));

        var json = figures.toJson();
        assertThat(json.get("postsGone").asLong()).isEqualTo(5);
        assertThat(json.get("postsFailed").asLong()).isEqualTo(1);
        assertThat(json.get("totals").get("AuthorizerDeny").asDouble()).isEqualTo(1);
        assertThat(json.get("stage").asText()).isEqualTo("demo");
    }

    @Test
    void aValueMayBeAnArrayOfValues_asTheFormatAllows() {
        OperationsFigures figures = at(T0 + 1_000);
        figures.accept(document(T0, "{\"Name\":\"ReadingsIn\",\"Unit\":\"Count\"},{\"Name\":\"FanOutLag\",\"Unit\":\"Milliseconds\"}",
                "\"ReadingsIn\":[4,6],\"FanOutLag\":[30,70]"));

        assertThat(figures.total(Metrics.READINGS_IN)).isEqualTo(10);
        assertThat(figures.maximum(Metrics.FAN_OUT_LAG)).isEqualTo(70.0);
    }

    @Test
    void whatIsNoMetricsDocument_isIgnored() {
        OperationsFigures figures = at(T0);
        figures.accept("not json");
        figures.accept("{\"level\":\"INFO\",\"message\":\"a log line\"}");

        assertThat(figures.toJson().get("totals").isEmpty()).isTrue();
        assertThat(figures.toJson().get("connections").isNull()).isTrue();
    }

    @Test
    void theDocumentsTheFunctionsWrite_areReadAsWritten() {
        List<String> written = new ArrayList<>();
        FunctionMetrics metrics = FunctionMetrics.quiet(Metrics.NAMESPACE, "demo", written::add);
        metrics.start().count(Metrics.READINGS_IN, 7).count(Metrics.READINGS_DELIVERED, 14).count(Metrics.CONNECTIONS, 2)
                .maximum(Metrics.FAN_OUT_LAG, 420, MetricUnit.MILLISECONDS).flush();
        OperationsFigures figures = new OperationsFigures(Clock.systemUTC(), "demo");

        written.forEach(figures::accept);

        assertThat(figures.total(Metrics.READINGS_IN)).isEqualTo(7);
        assertThat(figures.total(Metrics.READINGS_DELIVERED)).isEqualTo(14);
        assertThat(figures.latest(Metrics.CONNECTIONS)).isEqualTo(2.0);
        assertThat(figures.maximum(Metrics.FAN_OUT_LAG)).isEqualTo(420.0);
    }
}
