package dev.edgewire.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.contract.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.environment.EnvironmentProvider;
import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;
import software.amazon.lambda.powertools.metrics.MetricsBuilder;
import software.amazon.lambda.powertools.metrics.internal.EmfMetricsLogger;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

class FunctionMetricsTest {

    private final List<String> documents = new ArrayList<>();
    private final FunctionMetrics metrics = FunctionMetrics.quiet(Metrics.NAMESPACE, "demo", documents::add);

    @Test
    void aDocument_hasTheStageAsItsOnlyDimensionSet_inTheContractsNamespace_withItsUnits() throws Exception {
        metrics.start()
                .count(Metrics.READINGS_IN, 3)
                .count(Metrics.POSTS_FAILED, 0)
                .maximum(Metrics.FAN_OUT_LAG, 120, MetricUnit.MILLISECONDS)
                .flush();

        JsonNode document = Json.MAPPER.readTree(documents.getFirst());
        JsonNode directives = document.get("_aws").get("CloudWatchMetrics");
        assertThat(directives).hasSize(1);
        JsonNode directive = directives.get(0);
        assertThat(directive.get("Namespace").asText()).isEqualTo("edgewire");
        assertThat(directive.get("Dimensions")).isEqualTo(Json.MAPPER.readTree("[[\"Stage\"]]"));
        assertThat(document.get("Stage").asText()).isEqualTo("demo");
        assertThat(document.get("_aws").get("Timestamp").asLong()).isPositive();
        // Neither Powertools' Service nor the EMF library's own defaults.
        assertThat(document.has("Service")).isFalse();
        assertThat(document.has("LogGroup")).isFalse();
        assertThat(document.has("ServiceName")).isFalse();
        assertThat(document.has("ServiceType")).isFalse();
        assertThat(directive.get("Metrics")).extracting(m -> m.get("Name").asText() + ":" + m.get("Unit").asText())
                .containsExactlyInAnyOrder("ReadingsIn:Count", "PostsFailed:Count", "FanOutLag:Milliseconds");
        assertThat(document.get(Metrics.READINGS_IN).asInt()).isEqualTo(3);
        assertThat(document.get(Metrics.POSTS_FAILED).asInt()).isZero();
        assertThat(document.get(Metrics.FAN_OUT_LAG).asInt()).isEqualTo(120);
    }

    /**
     * What Powertools 2.9.0 and the EMF library write when the dimensions are left to them: a service
     * name becomes a {@code Service} dimension, and with no dimension at all the EMF library adds its
     * own three. An alarm on {@code {Stage}} would match neither.
     */
    @Test
    void leftToThemselves_powertoolsAndTheEmfLibrary_addDimensionsOfTheirOwn() throws Exception {
        List<String> written = new ArrayList<>();
        EnvironmentProvider environment = capturing(written);

        var withService = MetricsBuilder.builder()
                .withMetricsProvider(() -> new EmfMetricsLogger(environment, new MetricsContext()))
                .withNamespace("edgewire").withService("edgewire-fan-out").build();
        withService.addMetric(Metrics.READINGS_IN, 1, software.amazon.lambda.powertools.metrics.model.MetricUnit.COUNT);
        withService.flush();
        var bare = new EmfMetricsLogger(environment, new MetricsContext());
        bare.setNamespace("edgewire");
        bare.addMetric(Metrics.READINGS_IN, 1, MetricUnit.COUNT);
        bare.flush();

        assertThat(Json.MAPPER.readTree(written.get(0)).at("/_aws/CloudWatchMetrics/0/Dimensions"))
                .isEqualTo(Json.MAPPER.readTree("[[\"Service\"]]"));
        assertThat(Json.MAPPER.readTree(written.get(1)).at("/_aws/CloudWatchMetrics/0/Dimensions"))
                .isEqualTo(Json.MAPPER.readTree("[[\"LogGroup\",\"ServiceName\",\"ServiceType\"]]"));
    }

    @Test
    void countsAddUp_andAMaximumKeepsTheLargest_withinOneInvocation() throws Exception {
        FunctionMetrics.Tally tally = metrics.start();
        tally.count(Metrics.FRAMES_DELIVERED, 2).count(Metrics.FRAMES_DELIVERED, 5);
        tally.maximum(Metrics.FAN_OUT_LAG, 40, MetricUnit.MILLISECONDS).maximum(Metrics.FAN_OUT_LAG, 900, MetricUnit.MILLISECONDS)
                .maximum(Metrics.FAN_OUT_LAG, 10, MetricUnit.MILLISECONDS);
        tally.flush();

        assertThat(documents).hasSize(1);
        JsonNode document = Json.MAPPER.readTree(documents.getFirst());
        assertThat(document.get(Metrics.FRAMES_DELIVERED).asInt()).isEqualTo(7);
        assertThat(document.get(Metrics.FAN_OUT_LAG).asInt()).isEqualTo(900);
    }

    @Test
    void nothingCounted_writesNothing_andAFlushedTallyStartsAgain() {
        FunctionMetrics.Tally tally = metrics.start();
        tally.flush();
        assertThat(documents).isEmpty();

        tally.count(Metrics.READINGS_IN, 1).flush();
        tally.flush();
        assertThat(documents).hasSize(1);
    }

    @Test
    void documents_goToStandardOutput_asOneLineEach_andToTheListener() {
        List<String> heard = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            FunctionMetrics.of(Metrics.NAMESPACE, "demo", heard::add).start().count(Metrics.MESSAGES_IN, 1).flush();
        } finally {
            System.setOut(original);
        }

        assertThat(heard).hasSize(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(heard.getFirst() + System.lineSeparator());
    }

    @Test
    void aListenerThatFails_doesNotFailTheInvocation() {
        FunctionMetrics failing = FunctionMetrics.quiet(Metrics.NAMESPACE, "demo", document -> {
            throw new IllegalStateException("listener down");
        });

        failing.start().count(Metrics.AUTHORIZER_ALLOW, 1).flush();
    }

    private static EnvironmentProvider capturing(List<String> written) {
        ISink sink = new ISink() {
            @Override
            public void accept(MetricsContext context) {
                try {
                    written.addAll(context.serialize());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public CompletableFuture<Void> shutdown() {
                return CompletableFuture.completedFuture(null);
            }
        };
        Environment lambda = new LambdaEnvironment() {
            @Override
            public ISink getSink() {
                return sink;
            }
        };
        return new EnvironmentProvider() {
            @Override
            public CompletableFuture<Environment> resolveEnvironment() {
                return CompletableFuture.completedFuture(lambda);
            }
        };
    }
}
