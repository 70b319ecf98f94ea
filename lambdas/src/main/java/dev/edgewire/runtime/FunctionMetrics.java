package dev.edgewire.runtime;

import dev.edgewire.contract.Metrics;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.environment.EnvironmentProvider;
import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;
import software.amazon.lambda.powertools.metrics.internal.EmfMetricsLogger;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;
import software.amazon.lambda.powertools.metrics.provider.MetricsProvider;

/**
 * A function's metrics in CloudWatch's embedded metric format, written by Powertools for AWS Lambda
 * (Java) metrics: each invocation counts in memory ({@link #start()}) and flushes one document at its
 * end, one line on standard output, which Lambda sends to CloudWatch Logs and CloudWatch turns into
 * metrics. Names, namespace and dimension come from the contract's {@link Metrics}.
 *
 * <p>Every metric has exactly one dimension set, {@code {Stage: <stage>}}: an alarm matches a metric by
 * its whole dimension set. Left to themselves, Powertools' {@code MetricsFactory} adds a
 * {@code Service} dimension when {@code POWERTOOLS_SERVICE_NAME} is set, and the EMF library beneath
 * it, when no dimension is set, {@code LogGroup}, {@code ServiceName} and {@code ServiceType}. Setting
 * the default dimensions to the stage alone replaces both.
 *
 * <p>Why not {@code MetricsFactory}'s singleton: it is one per JVM, keyed by the X-Ray trace id and
 * configured from the process environment, while local mode runs all seven functions, each with its
 * own invocations at once, in one JVM. Each invocation here takes a fresh Powertools {@code Metrics}
 * from a {@link MetricsProvider}, as the singleton does per trace id. Its environment is fixed to
 * Lambda's, so the EMF library never probes for EC2 or ECS (an HTTP call to the instance metadata
 * address), and its sink is the same in both places: the document on standard output, and handed to
 * a listener, which local mode gives and which is empty on Lambda.
 */
public final class FunctionMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionMetrics.class);
    private static final Consumer<String> NO_LISTENER = document -> { };

    private final String namespace;
    private final DimensionSet dimensions;
    private final MetricsProvider provider;

    private FunctionMetrics(String namespace, String stage, Consumer<String> listener, PrintStream out) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.dimensions = DimensionSet.of(Metrics.STAGE_DIMENSION, Objects.requireNonNull(stage, "stage"));
        EnvironmentProvider environment = new FixedEnvironment(new Documents(out, listener));
        this.provider = () -> new EmfMetricsLogger(environment, new MetricsContext());
    }

    /** Documents on standard output only, as on Lambda. */
    public static FunctionMetrics of(String namespace, String stage) {
        return new FunctionMetrics(namespace, stage, NO_LISTENER, null);
    }

    /** Documents on standard output and to {@code listener} (local mode reads them back). */
    public static FunctionMetrics of(String namespace, String stage, Consumer<String> listener) {
        return new FunctionMetrics(namespace, stage, Objects.requireNonNull(listener, "listener"), null);
    }

    /** Documents to {@code listener} only, never printed: for tests and SnapStart priming. */
    public static FunctionMetrics quiet(String namespace, String stage, Consumer<String> listener) {
        return new FunctionMetrics(namespace, stage, Objects.requireNonNull(listener, "listener"),
                new PrintStream(PrintStream.nullOutputStream()));
    }

    /** The counts of one invocation, in memory until {@link Tally#flush()}. */
    public Tally start() {
        return new Tally();
    }

    /**
     * What one invocation counted. Safe to use from several threads (a broadcast posts on many); it is
     * flushed once, at the end of the invocation, as one document.
     */
    public final class Tally {

        private record Figure(double value, MetricUnit unit, boolean maximum) {
        }

        private final Map<String, Figure> figures = new LinkedHashMap<>();

        private Tally() {
        }

        /** Adds {@code n} to the count {@code name} (a count of 0 is emitted too: alarms see a zero, not missing data). */
        public synchronized Tally count(String name, long n) {
            figures.merge(name, new Figure(n, MetricUnit.COUNT, false),
                    (a, b) -> new Figure(a.value() + b.value(), a.unit(), false));
            return this;
        }

        /** Keeps the largest {@code value} given for {@code name} in this invocation. */
        public synchronized Tally maximum(String name, double value, MetricUnit unit) {
            figures.merge(name, new Figure(value, unit, true),
                    (a, b) -> new Figure(Math.max(a.value(), b.value()), a.unit(), true));
            return this;
        }

        /**
         * Writes what was counted as one document through Powertools' flush, and starts again from
         * nothing. With nothing counted it writes nothing (Powertools would log a warning).
         */
        public void flush() {
            Map<String, Figure> counted;
            synchronized (this) {
                if (figures.isEmpty()) {
                    return;
                }
                counted = new LinkedHashMap<>(figures);
                figures.clear();
            }
            // Metrics describe the work; a failure to write them must not fail the work itself.
            try {
                software.amazon.lambda.powertools.metrics.Metrics metrics = provider.getMetricsInstance();
                metrics.setNamespace(namespace);
                metrics.setDefaultDimensions(dimensions);
                counted.forEach((name, figure) -> metrics.addMetric(name, figure.value(), figure.unit()));
                metrics.flush();
            } catch (RuntimeException e) {
                LOG.warn("could not write the invocation's metrics {}: {}", counted.keySet(), e.toString());
            }
        }
    }

    /** Lambda's environment (its name and properties in the document) with the sink below, never probed. */
    private static final class FixedEnvironment extends EnvironmentProvider {
        private final Environment lambda;

        FixedEnvironment(ISink sink) {
            this.lambda = new LambdaEnvironment() {
                @Override
                public ISink getSink() {
                    return sink;
                }
            };
        }

        @Override
        public CompletableFuture<Environment> resolveEnvironment() {
            return CompletableFuture.completedFuture(lambda);
        }

        @Override
        public Environment getDefaultEnvironment() {
            return lambda;
        }
    }

    /**
     * Each document as one line on standard output, as the EMF library's console sink writes it on
     * Lambda (read when written, so a test or local mode that redirects standard output gets it), and
     * to the listener.
     */
    private record Documents(PrintStream out, Consumer<String> listener) implements ISink {

        @Override
        public void accept(MetricsContext context) {
            java.util.List<String> documents;
            try {
                documents = context.serialize();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("could not write a metrics document", e);
            }
            PrintStream to = out != null ? out : System.out;
            for (String document : documents) {
                to.println(document);
                try {
                    listener.accept(document);
                } catch (RuntimeException e) {
                    LOG.warn("the metrics listener failed on a document: {}", e.toString());
                }
            }
        }

        @Override
        public CompletableFuture<Void> shutdown() {
            return CompletableFuture.completedFuture(null);
        }
    }
}
