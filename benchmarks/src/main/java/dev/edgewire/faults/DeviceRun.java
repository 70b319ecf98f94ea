package dev.edgewire.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.standins.pki.LocalPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of the device client's {@code simulate} command as its own process (the jar users run),
 * so it can be killed with SIGKILL like a device losing power.
 */
final class DeviceRun {

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final List<String> command;

    private DeviceRun(Process process, Path stdout, Path stderr, List<String> command) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.command = command;
    }

    /**
     * Starts {@code simulate} for {@code thing} against local mode (its outputs file, the thing's own
     * certificate), {@code count} new QoS 1 readings at {@code rate} per second, through {@code outbox}.
     */
    static DeviceRun simulate(Path deviceJar, LocalCloud cloud, String thing, long count, double rate, Path outbox,
            Path logDir, String logName) throws Exception {
        LocalPki.Identity identity = cloud.things().get(thing);
        return simulate(deviceJar, cloud.outputsFile(), thing, identity.certificateFile(), identity.privateKeyFile(),
                count, rate, outbox, logDir, logName);
    }

    /** The same against whatever the outputs file describes, with the thing's certificate and key. */
    static DeviceRun simulate(Path deviceJar, Path outputsFile, String thing, Path certificate, Path privateKey,
            long count, double rate, Path outbox, Path logDir, String logName) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", deviceJar.toString(), "simulate",
                "--outputs", outputsFile.toAbsolutePath().toString(),
                "--thing", thing,
                "--cert", certificate.toAbsolutePath().toString(),
                "--key", privateKey.toAbsolutePath().toString(),
                "--qos", "1",
                "--count", Long.toString(count),
                "--rate", Double.toString(rate),
                "--outbox", outbox.toAbsolutePath().toString(),
                "--drain-timeout", "120s",
                "--no-progress",
                "--json"));
        Files.createDirectories(logDir);
        Path out = logDir.resolve(logName + ".out");
        Path err = logDir.resolve(logName + ".log");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new DeviceRun(process, out, err, command);
    }

    /**
     * The command as a user would type it from the checkout's root, with the launcher in place of
     * {@code java -jar} and the files under the checkout named relative to it.
     */
    String commandLine() {
        Path root = FaultSuite.checkoutRoot();
        List<String> shown = new ArrayList<>();
        shown.add("device-client/bin/edgewire-device");
        for (String arg : command.subList(3, command.size())) {
            if (arg.startsWith("/") && Path.of(arg).normalize().startsWith(root)) {
                arg = root.relativize(Path.of(arg).normalize()).toString();
            }
            shown.add(arg.contains(" ") ? "'" + arg + "'" : arg);
        }
        return String.join(" ", shown);
    }

    /** SIGKILL: the JVM gets no chance to flush, close or say goodbye. Returns the exit status (137). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the device client did not die after SIGKILL");
        }
        return process.exitValue();
    }

    /** Waits for the run to end and returns its JSON summary; fails with its log if it did not end well. */
    JsonNode await(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the device client did not finish within " + timeout + "; log: "
                    + tail(stderr));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the device client exited with " + process.exitValue() + ": "
                    + tail(stderr) + tail(stdout));
        }
        String text = Files.readString(stdout).strip();
        return new ObjectMapper().readTree(text.substring(text.lastIndexOf('\n') + 1));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        String text = Files.readString(file);
        return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
    }
}
