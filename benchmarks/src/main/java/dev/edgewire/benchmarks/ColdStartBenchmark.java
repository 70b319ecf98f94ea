package dev.edgewire.benchmarks;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import dev.edgewire.auth.TokenAuthorizer;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.contract.Topology;
import dev.edgewire.standins.cloud.CloudStandIn;
import dev.edgewire.standins.lambda.ColdStartChild;
import dev.edgewire.standins.lambda.Events;
import dev.edgewire.standins.lambda.LambdaJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 *
 * <p>Then the path a SnapStart function takes, in the same JVM flags: construction, the CRaC hooks
 * Lambda runs around the snapshot ({@code beforeCheckpoint}, where the functions prime, and
 * {@code afterRestore}), the first invocation, and warm invocations of the same event as its
 * baseline ({@link LambdaJvm#runRestored}).
 */
final class ColdStartBenchmark {

    static final List<String> TARGETS = List.of("HELLO", "CONNECT", "DISCONNECT", "SEND_MESSAGE", "SUBSCRIBE", "DEFAULT",
            "AUTHORIZER", "FAN_OUT");
    /** Warm invocations after the first, per restored run; their median is the first invocation's baseline. */
    static final int WARM_INVOCATIONS = 15;
    /** The project's goal for the first invocation after the CRaC hooks, against a warm one. */
    static final double FIRST_AFTER_RESTORE_GOAL = 3.0;
    /** Priming's log line: the function's {@code beforeCheckpoint} ran. */
    private static final String PRIMED = "\"message\":\"primed in ";

    /** Classes: loaded by construction and by the end of the first event, medians. */
    record Result(String target, Spread construct, Spread firstEvent, Spread process, long classesConstructed,
                  long classesAfterFirst) {
    }

    /** One function through construction, the CRaC hooks, the first invocation and warm ones; classes as medians. */
    record Restore(String target, Spread construct, Spread beforeCheckpoint, Spread afterRestore, Spread first, Spread warm,
                   Spread firstVsWarm, long classesConstructed, long classesAfterHooks, long classesAfterFirst,
                   long classesAfterWarm) {
    }

    record Results(Path jar, long jarBytes, List<Result> handlers, List<Restore> restores) {
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
        List<Restore> restores = new ArrayList<>();
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
            Map<String, List<LambdaJvm.Restored>> restoredRuns = new LinkedHashMap<>();
            // Targets interleaved round by round, so a slow moment of the machine hits all of them alike.
            for (int rep = 0; rep < reps; rep++) {
                for (String target : targets) {
                    freeConnectPlaces(target, connections);
                    LambdaJvm.Run r = lambda.run(target, env);
                    if (r.responseJson() == null) {
                        throw new IllegalStateException(target + " served no response:\n" + r.output());
                    }
                    runs.computeIfAbsent(target, k -> new ArrayList<>()).add(new double[] {r.constructMs(), r.firstEventMs(), r.processMs(),
                            r.classesConstructed(), r.classesAfterFirst()});
                }
                for (String target : targets) {
                    if (target.equals("HELLO")) {
                        continue;
                    }
                    freeConnectPlaces(target, connections);
                    Topology.Function function = Topology.Function.valueOf(target);
                    LambdaJvm.Restored r = lambda.runRestored(function, WARM_INVOCATIONS, pauseBetween(function), env);
                    if (r.responseJson() == null) {
                        throw new IllegalStateException(target + " served no response after the CRaC hooks:\n" + r.output());
                    }
                    if (!r.output().contains(PRIMED)) {
                        throw new IllegalStateException(target + ": the CRaC hooks ran no priming:\n" + r.output());
                    }
                    if (!r.output().contains(" SDK round trips for " + target + " against ")) {
                        throw new IllegalStateException(target + ": priming made no SDK round trips:\n" + r.output());
                    }
                    restoredRuns.computeIfAbsent(target, k -> new ArrayList<>()).add(r);
                }
            }
            runs.forEach((target, list) -> results.add(new Result(target, Spread.of(list.stream().map(a -> a[0]).toList()),
                    Spread.of(list.stream().map(a -> a[1]).toList()), Spread.of(list.stream().map(a -> a[2]).toList()),
                    (long) Spread.of(list.stream().map(a -> a[3]).toList()).median(),
                    (long) Spread.of(list.stream().map(a -> a[4]).toList()).median())));
            restoredRuns.forEach((target, list) -> restores.add(new Restore(target,
                    spread(list, LambdaJvm.Restored::constructMs), spread(list, LambdaJvm.Restored::beforeCheckpointMs),
                    spread(list, LambdaJvm.Restored::afterRestoreMs), spread(list, LambdaJvm.Restored::firstInvocationMs),
                    spread(list, LambdaJvm.Restored::warmMedianMs), spread(list, x -> x.firstInvocationMs() / x.warmMedianMs()),
                    (long) spread(list, x -> x.classesConstructed() - x.classesAtStart()).median(),
                    (long) spread(list, x -> x.classesAfterHooks() - x.classesAtStart()).median(),
                    (long) spread(list, x -> x.classesAfterFirst() - x.classesAtStart()).median(),
                    (long) spread(list, x -> x.classesAfterWarm() - x.classesAtStart()).median())));
        }
        return new Results(jar, Files.size(jar), results, restores);
    }

    /**
     * Before a CONNECT run, its fixture's connection gives back the places it took: a subject holds
     * {@link Topology.ConnectionsPerSubject#MAX} at most, and every run's connects must be granted, not
     * refused, for the runs to time the same path.
     */
    private static void freeConnectPlaces(String target, ConnectionRepository connections) {
        if (target.equals("CONNECT")) {
            var request = Events.load("connect.json", APIGatewayV2WebSocketEvent.class).getRequestContext();
            connections.forget(request.getConnectionId(), String.valueOf(request.getAuthorizer().get(TokenAuthorizer.SUBJECT)));
        }
    }

    /**
     * The fan-out starts a delivery no sooner than {@link Topology.ReadingsQueue#COALESCE_FOR} after its
     * previous one; back to back, its warm invocations would time that wait, not its work.
     */
    static Duration pauseBetween(Topology.Function function) {
        return function == Topology.Function.FAN_OUT
                ? Topology.ReadingsQueue.COALESCE_FOR.plusMillis(50) : Duration.ZERO;
    }

    private static Spread spread(List<LambdaJvm.Restored> runs, java.util.function.ToDoubleFunction<LambdaJvm.Restored> value) {
        return Spread.of(runs.stream().map(value::applyAsDouble).toList());
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

                | handler | construct ms | first event ms | JVM start to exit ms | vs hello (whole JVM) | construct + first event vs hello | classes after construct / first event |
                |---|---|---|---|---|---|---|
                """.formatted(r.jar().getFileName(), r.jarBytes(), r.jarBytes() / 1e6));
        Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
        double worst = 0;
        String worstName = "";
        double helloWork = hello.construct().median() + hello.firstEvent().median();
        for (Result h : r.handlers()) {
            double whole = h.process().median() / hello.process().median();
            double work = h.construct().median() + h.firstEvent().median();
            md.append("| %s | %s | %s | %s | %.2fx | %+.0f ms | %,d / %,d |\n".formatted(h.target(), h.construct().format(1),
                    h.firstEvent().format(1), h.process().format(0), whole, work - helloWork, h.classesConstructed(),
                    h.classesAfterFirst()));
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

                Medians of %d runs per handler, (min–max) in brackets. The sixth column is how much longer than
                hello the handler's own work takes (construct plus first event). Classes are counted by
                `ClassLoadingMXBean.getTotalLoadedClassCount()`, less those loaded before construction (the bean is
                fetched before the clock starts, in every JVM alike).

                ![cold start](img/cold-start.png)
                """.formatted(reps));
        if (!r.restores().isEmpty()) {
            restoreSection(report, md, r, reps);
        }
        report.section(md.toString());
    }

    /**
     * The SnapStart path: the second table, and a headline row for the function whose first
     * invocation after the hooks is slowest against its own warm median.
     */
    private static void restoreSection(Report report, StringBuilder md, Results r, int reps) {
        md.append("""

                ### After SnapStart's hooks: first invocation against warm ones

                Deployed functions run with SnapStart: Lambda builds the function, runs the CRaC `beforeCheckpoint`
                hooks (the functions' priming, `Priming.prime`: the common paths, then the function's own SDK calls
                as round trips against a loopback endpoint with canned answers), snapshots, and on a cold start restores,
                runs `afterRestore` and serves the first event. Each run here is a fresh JVM with the same flags as
                above plus `%s`, which Lambda's Java runtime sets so that `org.crac` hands registrations to the
                runtime client's own CRaC context (`org.crac` 1.5.0 on a JDK without CRaC otherwise drops them, and
                its `Core.checkpointRestore()` throws `UnsupportedOperationException`). The runtime client's jar is on
                the class path. The child builds the function through its no-argument constructor, then calls that
                context's `beforeCheckpoint(null)` and `afterRestore(null)`, as the runtime client does in `snap-start`
                mode, and then times the first invocation and %d warm invocations of the same event (the warm column is
                their median); each warm answer must be the first one's. The first invocation's Lambda context is built
                before its clock starts, as the runtime builds its own. The fan-out's warm invocations each come %d ms after the previous one ends: it starts a
                delivery no sooner than %d ms after its previous one, and back to back they would time that wait.
                Every run must log priming's lines, its SDK round trips among them, or the benchmark fails.

                What this leaves out: there is no snapshot, so no restore. On Lambda the restored JVM reads its
                memory back in on demand, re-seeds what must not be shared between restored copies, and opens
                fresh connections; none of that is in these times. The first invocation does open its connections
                to the local stand-ins (priming's went to its own loopback endpoint, closed before the snapshot), as a
                restored function does on Lambda, and resolves the function's credentials for the first time; the
                authorizer's `afterRestore` reads the token keys from the stand-in. Classes are
                counted by `ClassLoadingMXBean.getTotalLoadedClassCount()` since the JVM started, less those loaded
                before construction.

                | function | construct ms | beforeCheckpoint (priming) ms | afterRestore ms | first invocation ms | warm median ms | first vs warm | classes after construct / hooks / first / warm | classes the first invocation loaded: after the hooks / without them |
                |---|---|---|---|---|---|---|---|---|
                """.formatted(LambdaJvm.CRAC_COMPAT, WARM_INVOCATIONS, pauseBetween(Topology.Function.FAN_OUT).toMillis(),
                Topology.ReadingsQueue.COALESCE_FOR.toMillis()));
        Restore slowest = null;
        for (Restore h : r.restores()) {
            String unprimed = r.handlers().stream().filter(f -> f.target().equals(h.target())).findFirst()
                    .map(f -> "%,d".formatted(f.classesAfterFirst() - f.classesConstructed())).orElse("—");
            md.append("| %s | %s | %s | %s | %s | %s | %s | %,d / %,d / %,d / %,d | %,d / %s |\n".formatted(h.target(), h.construct().format(1),
                    h.beforeCheckpoint().format(1), h.afterRestore().format(1), h.first().format(1), h.warm().format(2),
                    h.firstVsWarm().format(2).replaceFirst(" ", "x "), h.classesConstructed(), h.classesAfterHooks(),
                    h.classesAfterFirst(), h.classesAfterWarm(), h.classesAfterFirst() - h.classesAfterHooks(), unprimed));
            if (slowest == null || h.firstVsWarm().median() > slowest.firstVsWarm().median()) {
                slowest = h;
            }
        }
        boolean met = r.restores().stream().allMatch(h -> h.firstVsWarm().median() <= FIRST_AFTER_RESTORE_GOAL);
        md.append("""

                Medians of %d runs per function, (min–max) in brackets; first vs warm is taken run by run. Goal: the
                first invocation after the hooks within %.0fx of a warm one, for every function: %s (slowest %s,
                %.2fx). The shaded jar is %.1f MB, as above.
                """.formatted(reps, FIRST_AFTER_RESTORE_GOAL, met ? "met" : "not met", slowest.target(),
                slowest.firstVsWarm().median(), r.jarBytes() / 1e6));
        report.headline(new Report.Headline("Cold start after SnapStart's hooks (no snapshot), slowest first invocation ("
                + slowest.target() + ") vs its warm median",
                Spread.num(slowest.first().median(), 1) + " ms", Spread.num(slowest.warm().median(), 2) + " ms (warm)",
                "%.2fx".formatted(slowest.firstVsWarm().median()), "<= %.0fx".formatted(FIRST_AFTER_RESTORE_GOAL), met));
    }
}
