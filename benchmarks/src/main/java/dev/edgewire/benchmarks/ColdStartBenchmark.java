package dev.edgewire.benchmarks;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.standins.lambda.ColdStartChild;
import dev.edgewire.standins.lambda.LambdaJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark 5: cold start of every handler. Each run is a fresh JVM on the shaded jar that infra
 * deploys, with the JIT flags of Lambda's Java runtime, which builds the handler through its
 * no-argument constructor from environment variables (pointing at dynalite and a local
 * {@code @connections}/IoT/Secrets Manager stand-in) and serves one event
 * ({@link ColdStartChild}); the baseline is a hello-world handler run the same way.
 */
final class ColdStartBenchmark {

    static final List<String> TARGETS = List.of("HELLO", "CONNECT", "DISCONNECT", "SEND_MESSAGE", "DEFAULT", "AUTHORIZER", "FAN_OUT");

    record Result(String target, Spread construct, Spread firstEvent, Spread process) {
    }

    record Results(Path jar, long jarBytes, List<Result> handlers) {
    }

    private ColdStartBenchmark() {
    }

    static Results run(Path root, List<String> targets, int reps) throws Exception {
        Path jar = LambdaJvm.shadedJar(root.resolve("lambdas/target"));
        if (!targets.contains("HELLO")) {
            throw new IllegalArgumentException("the hello handler is the baseline; keep HELLO in the targets");
        }
        LambdaJvm lambda = LambdaJvm.ofJar(jar);
        List<Result> results = new ArrayList<>();
        try (DynaliteStore dynamo = DynaliteStore.start(root);
             CloudStandIn api = new CloudStandIn()) {
            api.serveSecret(ColdStartChild.TOKEN_KEY);
            var connections = new ConnectionRepository(dynamo.client(), dynamo.table(), Clock.systemUTC(), 1);
            for (int i = 0; i < 10; i++) {
                connections.save("bench-" + i, null);
            }
            Map<String, String> env = LambdaJvm.lambdaEnvironment(dynamo.endpoint(), api, dynamo.table());
            lambda.run("HELLO", env); // the page cache holds the jar from here on, for every target alike
            Map<String, List<double[]>> runs = new LinkedHashMap<>();
            // Targets interleaved round by round, so a slow moment of the machine hits all of them alike.
            for (int rep = 0; rep < reps; rep++) {
                for (String target : targets) {
                    LambdaJvm.Run r = lambda.run(target, env);
                    if (r.responseJson() == null) {
                        throw new IllegalStateException(target + " served no response:\n" + r.output());
                    }
                    runs.computeIfAbsent(target, k -> new ArrayList<>()).add(new double[] {r.constructMs(), r.firstEventMs(), r.processMs()});
                }
            }
            runs.forEach((target, list) -> results.add(new Result(target, Spread.of(list.stream().map(a -> a[0]).toList()),
                    Spread.of(list.stream().map(a -> a[1]).toList()), Spread.of(list.stream().map(a -> a[2]).toList()))));
        }
        return new Results(jar, Files.size(jar), results);
    }

    static void report(Report report, Results r, int reps) throws Exception {
        Result hello = r.handlers().stream().filter(h -> h.target().equals("HELLO")).findFirst().orElseThrow();
        StringBuilder md = new StringBuilder("""
                ## 5. Handler cold start

                Each run starts a fresh JVM (`java -XX:+TieredCompilation -XX:TieredStopAtLevel=1`, the JIT flags of
                Lambda's Java runtime) on the shaded jar `%s` (%,d bytes, %.1f MB), builds one handler through its
                no-argument constructor from environment variables as Lambda does, and serves one event from
                `stand-ins/src/main/resources/events/`. SDK clients talk to dynalite and a local stand-in for
                `@connections`, the IoT data plane and Secrets Manager. The baseline is a hello-world handler
                (`HelloHandler`) started the same way. Targets are interleaved round by round.

                | handler | construct ms | first event ms | JVM start to exit ms | vs hello (whole JVM) | construct + first event vs hello |
                |---|---|---|---|---|---|
                """.formatted(r.jar().getFileName(), r.jarBytes(), r.jarBytes() / 1e6));
        Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
        double worst = 0;
        String worstName = "";
        double helloWork = hello.construct().median() + hello.firstEvent().median();
        for (Result h : r.handlers()) {
            double whole = h.process().median() / hello.process().median();
            double work = h.construct().median() + h.firstEvent().median();
            md.append("| %s | %s | %s | %s | %.2fx | %+.0f ms |\n".formatted(h.target(), h.construct().format(1),
                    h.firstEvent().format(1), h.process().format(0), whole, work - helloWork));
            if (whole > worst) {
                worst = whole;
                worstName = h.target();
            }
            chart.computeIfAbsent("construct", k -> new LinkedHashMap<>()).put(h.target(), h.construct().median());
            chart.computeIfAbsent("first event", k -> new LinkedHashMap<>()).put(h.target(), h.firstEvent().median());
            chart.computeIfAbsent("JVM start to exit", k -> new LinkedHashMap<>()).put(h.target(), h.process().median());
        }
        Result slowest = r.handlers().stream().filter(h -> !h.target().equals("HELLO"))
                .max(java.util.Comparator.comparingDouble(h -> h.process().median())).orElseThrow();
        report.headline(new Report.Headline("Cold start, slowest handler (" + worstName + ") vs hello, fresh JVM",
                Spread.num(slowest.process().median(), 0) + " ms", Spread.num(hello.process().median(), 0) + " ms",
                "%.2fx".formatted(worst), "— (jar %.1f MB)".formatted(r.jarBytes() / 1e6), null));
        Charts.bars(report.imageDir().resolve("cold-start.png"), "Cold start per handler, ms (median of " + reps + ")", "ms",
                chart, false);
        md.append("""

                Medians of %d runs per handler, (min–max) in brackets. The last column is how much longer than
                hello the handler's own work takes (construct plus first event).

                ![cold start](img/cold-start.png)
                """.formatted(reps));
        report.section(md.toString());
    }
}
