package dev.edgewire.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the benchmarks and writes the report ({@code benchmarks.md} and PNG charts under
 * {@code img/}). {@code --full} is the published run (docs/); {@code --quick} is the same code at a
 * tiny scale, for CI and for trying it out.
 */
@Command(name = "benchmark-suite", mixinStandardHelpOptions = true,
        description = "Measures local mode, the handlers and the device client against baselines from the same run.")
public final class BenchmarkSuite implements Callable<Integer> {

    /** The benchmarks, in the report's order. */
    public enum Benchmark { BROADCAST, LATENCY, DEVICE, COLD_START, RESOURCES, FANOUT }

    /** Sizes of one run. */
    public record Scale(String name, boolean warmUp, List<Integer> broadcastSizes, int broadcastReps, int delayedConnections, List<Integer> latencyAudiences, List<Integer> latencyRates,
                        int latencyReps, Duration latencyEach, int httpsMessages, int mqttMessages, int steadyMessages, int deviceReps,
                        int coldStartReps, List<String> coldStartTargets, int resourceClients, int resourceDevices,
                        int resourceRate, Duration resourceIdle, Duration resourceLoad, List<FanOutBenchmark.Case> fanOut) {

        public static final Scale FULL = new Scale("full", true, List.of(1_000, 10_000), 5, 500, List.of(1, 100), List.of(100, 500, 2_000), 3,
                Duration.ofSeconds(10), 500, 100_000, 10_000, 3, 3, ColdStartBenchmark.TARGETS, 1_000, 20, 10,
                Duration.ofSeconds(5), Duration.ofSeconds(60), FanOutBenchmark.FULL);
        public static final Scale QUICK = new Scale("quick", false, List.of(200), 2, 50, List.of(1, 10), List.of(100), 1, Duration.ofSeconds(3),
                30, 500, 1_000, 1, 1, List.of("HELLO", "CONNECT", "FAN_OUT"), 20, 5, 1, Duration.ofSeconds(2), Duration.ofSeconds(3),
                FanOutBenchmark.QUICK);
    }

    /** Everything measured, for the report and for the quick variant's checks. */
    public record Outcome(Path report, List<BroadcastBenchmark.Result> broadcast, BroadcastBenchmark.Delayed delayed, List<LatencyBenchmark.Result> latency,
                          DeviceClientBenchmark.Result device, ColdStartBenchmark.Results coldStart,
                          ResourceBenchmark.Result resources, FanOutBenchmark.Results fanOut, List<Report.Headline> headlines) {
    }

    @Option(names = "--quick", description = "Tiny scale, seconds per benchmark (default: the full run).")
    boolean quick;

    @Option(names = "--full", description = "The published scale (the default).")
    boolean full;

    @Option(names = "--only", split = ",", paramLabel = "NAME",
            description = "Run only these: ${COMPLETION-CANDIDATES} (default: all).")
    Set<Benchmark> only;

    @Option(names = "--out", paramLabel = "DIR", description = "Where benchmarks.md and img/ go (default: docs/, or "
            + "benchmarks/target/benchmark-report with --quick).")
    Path out;

    @Option(names = "--root", paramLabel = "DIR", description = "The checkout root (default: -Dedgewire.root, else the working directory).")
    Path root;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchmarkSuite()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick && full) {
            throw new CommandLine.ParameterException(new CommandLine(this), "choose --quick or --full, not both");
        }
        Path checkout = (root != null ? root : Path.of(System.getProperty("edgewire.root", ""))).toAbsolutePath().normalize();
        Scale scale = quick ? Scale.QUICK : Scale.FULL;
        Path dir = out != null ? out : quick ? checkout.resolve("benchmarks/target/benchmark-report") : checkout.resolve("docs");
        Outcome outcome = run(checkout, scale, only == null || only.isEmpty() ? EnumSet.allOf(Benchmark.class) : EnumSet.copyOf(only),
                dir, System.getProperty("benchmark.command", "benchmarks/bin/run-suite --" + scale.name()));
        System.out.println();
        System.out.println(new Report(dir).headlineTableOf(outcome.headlines()));
        System.out.println("report: " + outcome.report());
        return 0;
    }

    public static Outcome run(Path root, Scale scale, Set<Benchmark> which, Path dir, String command) throws Exception {
        // HttpURLConnection keeps 5 idle connections per host unless told otherwise, and reads the setting
        // once: the fan-out benchmark's worker posts 100 at a time, as on Lambda.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "256");
        }
        Report report = new Report(dir);
        String loadBefore = Report.loadAverage();
        Instant started = Instant.now();
        // A run of some benchmarks into an existing report replaces their sections and keeps the others'.
        Path file = dir.resolve("benchmarks.md");
        String earlier = which.size() < Benchmark.values().length && Files.exists(file) ? Files.readString(file) : null;
        List<BroadcastBenchmark.Result> broadcast = List.of();
        BroadcastBenchmark.Delayed delayed = null;
        List<LatencyBenchmark.Result> latency = List.of();
        DeviceClientBenchmark.Result device = null;
        ColdStartBenchmark.Results coldStart = null;
        ResourceBenchmark.Result resources = null;
        FanOutBenchmark.Results fanOut = null;
        List<String> timings = new ArrayList<>();
        for (Benchmark b : which) {
            long t0 = System.nanoTime();
            System.out.println("== " + b.name().toLowerCase(Locale.ROOT) + " (" + scale.name() + ")");
            switch (b) {
                case BROADCAST -> {
                    broadcast = BroadcastBenchmark.run(root, scale.broadcastSizes(), scale.broadcastReps(), scale.warmUp());
                    delayed = BroadcastBenchmark.delayed(root, scale.delayedConnections(), Duration.ofMillis(10), scale.broadcastReps());
                    BroadcastBenchmark.report(report, broadcast, delayed, scale.broadcastReps());
                }
                case LATENCY -> {
                    latency = LatencyBenchmark.run(root, scale.latencyAudiences(), scale.latencyRates(), scale.latencyReps(), scale.latencyEach());
                    LatencyBenchmark.report(report, latency, scale.latencyReps(), scale.latencyEach());
                }
                case DEVICE -> {
                    device = DeviceClientBenchmark.run(root, scale.httpsMessages(), scale.mqttMessages(),
                            scale.steadyMessages(), scale.deviceReps(), scale.warmUp());
                    DeviceClientBenchmark.report(report, device, scale.deviceReps());
                }
                case COLD_START -> {
                    coldStart = ColdStartBenchmark.run(root, scale.coldStartTargets(), scale.coldStartReps());
                    ColdStartBenchmark.report(report, coldStart, scale.coldStartReps());
                }
                case RESOURCES -> {
                    resources = ResourceBenchmark.run(root, scale.resourceClients(), scale.resourceDevices(),
                            scale.resourceRate(), scale.resourceIdle(), scale.resourceLoad());
                    ResourceBenchmark.report(report, resources);
                }
                case FANOUT -> {
                    fanOut = FanOutBenchmark.run(root, scale.fanOut());
                    FanOutBenchmark.report(report, fanOut, command);
                }
            }
            timings.add("%s %.0f s".formatted(b.name().toLowerCase(Locale.ROOT), (System.nanoTime() - t0) / 1e9));
            // Written after every benchmark, so a long run that is stopped keeps what it measured.
            write(report, file, earlier, command, scale, started, root, loadBefore, timings);
        }
        return new Outcome(write(report, file, earlier, command, scale, started, root, loadBefore, timings),
                broadcast, delayed, latency, device, coldStart, resources, fanOut, report.headlines());
    }

    private static Path write(Report report, Path file, String earlier, String command, Scale scale, Instant started, Path root,
                              String loadBefore, List<String> timings) throws IOException {
        if (earlier == null) {
            return report.write(file.getFileName().toString(), header(command, scale, started, root, loadBefore, timings));
        }
        List<String> rows = report.headlineTable().lines().skip(2).toList();
        String run = "`%s` (scale: %s), %s, commit `%s`, load average before %s, after %s; %s".formatted(command, scale.name(),
                started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), Report.gitCommit(root), loadBefore,
                Report.loadAverage(), String.join(", ", timings));
        Files.writeString(file, ReportMerge.merge(earlier, rows, report.sectionsMarkdown(),
                "later run of " + String.join(", ", timings.stream().map(t -> t.substring(0, t.indexOf(' '))).toList()), run));
        return file;
    }

    private static String header(String command, Scale scale, Instant started, Path root, String loadBefore, List<String> timings) {
        return """
                # Benchmarks

                Each figure is a ratio against a baseline measured in the same run on the same machine, in local mode
                (absolute times on a shared machine are noisy; the ratios are what to compare). Medians of several
                repetitions, with the (min–max) range. Each goal is the project's target; a goal that is not met says so, and why.

                | run | |
                |---|---|
                | command | `%s` (scale: %s) |
                | date | %s |
                | git commit | `%s` |
                | JDK | %s (%s) |
                | machine | %d cores, %s |
                | load average (1, 5, 15 min) | before %s; after %s |
                | duration | %s (%s) |
                """.formatted(command, scale.name(), started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), Report.gitCommit(root), Runtime.version(), System.getProperty("java.vendor"),
                Runtime.getRuntime().availableProcessors(), Report.machine(), loadBefore, Report.loadAverage(),
                Duration.between(started, Instant.now()).withNanos(0).toString().substring(2).toLowerCase(Locale.ROOT),
                String.join(", ", timings));
    }
}
