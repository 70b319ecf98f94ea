package dev.edgewire.systemtests.target;

import static org.awaitility.Awaitility.await;

import dev.edgewire.local.LocalMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Local mode in a child JVM, started as {@code local/bin/edgewire-local} starts it (its main class and JVM
 * flags) on free ports with a fresh state folder. The suite learns about it only from the outputs file it
 * writes once every server is up.
 */
final class LocalModeProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path state;
    private final Path log;
    private final List<ProcessHandle> children = new ArrayList<>();
    private final Thread killOnExit;

    private LocalModeProcess(Process process, Path state, Path log) {
        this.process = process;
        this.state = state;
        this.log = log;
        // If the test JVM is stopped before the suite ends, local mode and its store must not outlive it.
        this.killOnExit = new Thread(this::stop, "stop-local-mode");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts local mode from {@code root} (the checkout, where node_modules holds dynalite) with its state in {@code state}. */
    static LocalModeProcess start(Path root, Path state) throws IOException {
        deleteTree(state);
        Files.createDirectories(state);
        Path log = state.resolveSibling(state.getFileName() + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalMode.class.getName(),
                "--state-dir", state.toString(), "--mqtt-port", "0", "--https-port", "0", "--ws-port", "0",
                "--thing", "thing-1"));
        Process process = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalModeProcess local = new LocalModeProcess(process, state, log);
        try {
            await("local mode's outputs file " + local.outputsFile()).atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100)).until(local::ready);
        } catch (RuntimeException | Error e) {
            local.close();
            throw e;
        }
        return local;
    }

    /** The file is written after every server started; a half-written one does not parse yet. */
    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("local mode exited with status " + process.exitValue() + "; its output, "
                    + log + ":\n" + tail());
        }
        try {
            return Files.exists(outputsFile()) && Outputs.read(outputsFile()).find("Token").isPresent();
        } catch (IllegalStateException partial) {
            return false;
        }
    }

    Path outputsFile() {
        return state.resolve("outputs.json");
    }

    /** Local mode's token key, which a user of local mode has as {@code .local/token.key}. */
    Path tokenKeyFile() {
        return state.resolve("token.key");
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // Already running as the hook.
        }
    }

    /**
     * Ctrl-C's path: local mode closes its WebSocket connections, runs $disconnect and stops its store.
     * If it has to be killed, the store it started (its child, found by process id) is stopped too.
     */
    private synchronized void stop() {
        if (!process.isAlive()) {
            return;
        }
        children.addAll(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public String toString() {
        return "local mode, pid " + process.pid() + ", output in " + log;
    }
}
