package dev.edgewire.faults;

import dev.edgewire.benchmarks.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault-injection suite: breaks local mode on purpose, in the ways a deployed system breaks, and counts
 * at a real receiver what survived. Writes {@code docs/fault-injection.md} (or {@code --report}).
 */
@Command(name = "fault-suite", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Injects faults into local mode (broker restart, device client SIGKILL, vanished WebSocket "
                + "clients, store outage, bad inputs, local mode SIGKILL with readings queued, a fan-out failing part "
                + "of a batch, workers killed midway, a sendMessage flood, connections over a token's cap) and reports "
                + "exact counts of readings sent, "
                + "received, missing and duplicated.")
public final class FaultSuite implements Callable<Integer> {

    /** The scenarios, in the report's order. */
    public enum Scenario {
        BROKER_RESTART, DEVICE_KILL, VANISHED_CLIENTS, STORE_OUTAGE, BAD_INPUTS, LOCAL_MODE_KILL,
        PARTIAL_BATCH_FAILURE, WORKER_KILLED, SENDMESSAGE_FLOOD, CONNECTION_CAP;

        /** Whether it runs on the suite's shared local mode; the others start their own. */
        boolean onSharedRig() {
            return switch (this) {
                case BROKER_RESTART, DEVICE_KILL, STORE_OUTAGE, BAD_INPUTS -> true;
                default -> false;
            };
        }
    }

    @Option(names = "--quick", description = "Small counts (500 readings, 50 vanished clients, 500 queued readings, "
            + "50 watchers in shards of 20, a 10 s flood at 100/s, 50 connections with one token), as CI runs them.")
    boolean quick;

    @Option(names = "--scenario", split = ",", paramLabel = "NAME",
            description = "Run only these: ${COMPLETION-CANDIDATES} (default: all).")
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);

    @Option(names = "--report", paramLabel = "FILE", description = "Where to write the report (default: ${DEFAULT-VALUE}).")
    Path report = Path.of("docs", "fault-injection.md");

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Local mode's state, outboxes and logs (default: a new folder under target/).")
    Path workDir;

    @Option(names = "--device-jar", paramLabel = "JAR",
            description = "The device client jar (default: device-client/target/edgewire-device.jar in this checkout).")
    Path deviceJar;

    private static String invocation = "";

    public static void main(String[] args) {
        invocation = String.join(" ", args);
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "edgewire-faults-log4j2.xml");
        }
        System.exit(new CommandLine(new FaultSuite()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = workDir != null ? workDir : Path.of("target", "fault-suite-" + System.currentTimeMillis());
        Path jar = deviceJar != null ? deviceJar : findDeviceJar();
        List<Outcome> outcomes = run(quick ? Settings.ci() : Settings.issue(), scenarios, work, jar);
        // Paths under the checkout are shown relative to it, so the line reads the same on any machine.
        String root = System.getProperty("edgewire.root");
        String shown = root == null ? invocation : invocation.replace(Path.of(root).toAbsolutePath().normalize() + "/", "");
        String command = "java -cp <benchmarks class path> " + FaultSuite.class.getName()
                + (shown.isEmpty() ? "" : " " + shown);
        writeReport(report, outcomes, quick ? Settings.ci() : Settings.issue(), command);
        System.out.println("Report: " + report.toAbsolutePath());
        return outcomes.stream().allMatch(Outcome::passed) ? 0 : 1;
    }

    /** Runs the chosen scenarios in the report's order; a scenario that throws is a failed outcome. */
    static List<Outcome> run(Settings settings, Set<Scenario> chosen, Path work, Path deviceJar)
            throws Exception {
        Files.createDirectories(work);
        if (!Files.isRegularFile(deviceJar)) {
            throw new IllegalStateException("device client jar not found at " + deviceJar
                    + "; build it with ./mvnw -pl device-client -am package -DskipTests");
        }
        LogCapture logs = LogCapture.install();
        List<Outcome> outcomes = new ArrayList<>();
        // The scenarios that kill local mode run it as a child process of their own; those that need other settings,
        // or a quiet local mode, start one of their own in this JVM.
        boolean needsRig = chosen.stream().anyMatch(Scenario::onSharedRig);
        try (Rig rig = needsRig ? Rig.start(work, deviceJar, settings, logs) : null) {
            for (Scenario scenario : Scenario.values()) {
                if (!chosen.contains(scenario)) {
                    continue;
                }
                System.out.println("== " + scenario);
                Outcome outcome;
                try {
                    outcome = switch (scenario) {
                        case BROKER_RESTART -> BrokerRestart.run(rig);
                        case DEVICE_KILL -> DeviceKill.run(rig);
                        case VANISHED_CLIENTS -> VanishedClients.run(work, settings);
                        case STORE_OUTAGE -> StoreOutage.run(rig);
                        case BAD_INPUTS -> BadInputCatalogue.run(rig);
                        case LOCAL_MODE_KILL -> LocalModeKill.run(work, settings, deviceJar);
                        case PARTIAL_BATCH_FAILURE -> PartialBatchFailure.run(work, settings, deviceJar, logs);
                        case WORKER_KILLED -> WorkerKilled.run(work, settings, deviceJar, logs);
                        case SENDMESSAGE_FLOOD -> SendMessageFlood.run(work, settings);
                        case CONNECTION_CAP -> ConnectionCap.run(work, deviceJar, settings, logs);
                    };
                } catch (Exception | AssertionError e) {
                    outcome = new Outcome(scenario.name().toLowerCase(), scenario.name());
                    outcome.check(false, "the scenario could not run: " + e);
                    e.printStackTrace();
                }
                outcomes.add(outcome);
            }
        }
        return outcomes;
    }

    /** Writes the outcomes as Markdown: the run, how readings are counted, then a section per scenario. */
    static Path writeReport(Path file, List<Outcome> outcomes, Settings settings, String command) throws IOException {
        Path root = checkoutRoot();
        String load = Report.loadAverage().split(",")[0];
        String header = "# Fault injection\n\n"
                + "Generated by `dev.edgewire.faults.FaultSuite` (" + (settings.quick() ? "quick counts" : "the published counts")
                + "). Every number below was measured in this run; nothing is estimated.\n\n"
                + "| | |\n|---|---|\n"
                + "| date | " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " |\n"
                + "| git commit | " + Report.gitCommit(root) + " |\n"
                + "| JDK | " + System.getProperty("java.vm.name") + ' ' + System.getProperty("java.runtime.version") + " |\n"
                + "| cores | " + Runtime.getRuntime().availableProcessors() + " |\n"
                + "| load average (1 min, at the end) | " + load + " |\n"
                + "| command | `" + command + "` |\n"
                + "| result | " + (outcomes.stream().allMatch(Outcome::passed) ? "every expectation held"
                        : "FAILED: see the scenarios marked failed") + " |\n\n"
                + "Readings are counted at a WebSocket client of the stage, by (deviceId, seq): **received** is distinct "
                + "seqs that arrived, **missing** is seqs sent that never arrived, **duplicated** is extra copies of "
                + "seqs that had already arrived (QoS 1 is at-least-once). Streams stay at a rate the fan-out sustains, "
                + "so a missing reading is a lost reading and not the documented bounded drop of local mode's "
                + "rule-action queue; that drop is counted separately and reported as well, and each refused "
                + "reading is kept in local mode's failed-deliveries queue (a reading whose fan-out failed every "
                + "attempt is kept in the failed-invocations queue; scenario 4 lists both). Scenarios 7 to 9 count at "
                + "every one of many watchers, each of which should get every reading once: there sent is readings "
                + "times watchers.";
        Report report = new Report(file.toAbsolutePath().getParent());
        outcomes.forEach(o -> report.section(o.markdown()));
        return report.write(file.getFileName().toString(), header);
    }

    /**
     * The checkout's root ({@code -Dedgewire.root}, as benchmarks/bin/run-suite sets it), else the nearest folder
     * above the working directory that holds the Maven wrapper and this module.
     */
    static Path checkoutRoot() {
        String property = System.getProperty("edgewire.root");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("benchmarks"))) {
                return dir;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    static Path findDeviceJar() {
        Path relative = Path.of("device-client", "target", "edgewire-device.jar");
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        return relative;
    }
}
