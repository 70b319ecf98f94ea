package dev.edgewire.standins.dynamodb;

import dev.edgewire.standins.net.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * dynalite, the DynamoDB-compatible server local mode keeps its table in: a Node.js process started
 * from the project's {@code node_modules} on a loopback port, its data on disk under the state folder
 * so connections survive a restart, stopped with local mode.
 */
public final class Dynalite implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** Beside the data: which process holds it, so a store left behind by a killed local mode can be stopped. */
    private static final String PID_FILE = "dynalite.pid";

    private final Process process;
    private final int port;

    private Dynalite(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts dynalite with its data in {@code dataDir} (or in memory if null) on {@code port}
     * (0: a free one), and waits until it accepts connections.
     */
    public static Dynalite start(Path cli, Path dataDir, int port, Path logFile) throws IOException, InterruptedException {
        if (!Files.isRegularFile(cli)) {
            throw new IOException("dynalite is not installed at " + cli
                    + "; run ./mvnw (it installs it from package-lock.json) or npm ci in the checkout root");
        }
        int chosen = port == 0 ? FreePorts.pick() : port;
        // Ctrl-C in a terminal reaches the whole process group, and Node resets ignored signals at start;
        // in a session of its own (setsid, where there is one) the store outlives Ctrl-C long enough for
        // $disconnect to delete the rows of the connections local mode closes on the way out. close() stops it.
        List<String> command = new java.util.ArrayList<>(List.of("sh", "-c",
                "if command -v setsid >/dev/null 2>&1; then exec setsid \"$0\" \"$@\"; else exec \"$0\" \"$@\"; fi",
                "node", cli.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(chosen), "--createTableMs", "0", "--deleteTableMs", "0",
                "--updateTableMs", "0"));
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            stopLeftover(dataDir.resolve(PID_FILE));
            command.addAll(List.of("--path", dataDir.toString()));
        }
        Files.createDirectories(logFile.getParent());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        if (dataDir != null) {
            Files.writeString(dataDir.resolve(PID_FILE), Long.toString(process.pid()));
        }
        Dynalite dynalite = new Dynalite(process, chosen);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!dynalite.accepting()) {
            if (!process.isAlive()) {
                throw new IOException("dynalite exited with " + process.exitValue() + " on port " + chosen
                        + "; see " + logFile);
            }
            if (System.nanoTime() > deadline) {
                dynalite.close();
                throw new IOException("dynalite did not start within " + START_TIMEOUT + "; see " + logFile);
            }
            Thread.sleep(50);
        }
        return dynalite;
    }

    /**
     * Stops a store that a local mode killed without its shutdown (kill -9) left running on the same
     * data: it would hold the data's lock and the new store could not open it.
     */
    private static void stopLeftover(Path pidFile) throws IOException, InterruptedException {
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (NumberFormatException e) {
            return;
        }
        var leftover = ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains("dynalite"));
        if (leftover.isPresent()) {
            leftover.get().destroy();
            leftover.get().onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                    .exceptionally(timeout -> {
                        leftover.get().destroyForcibly();
                        return null;
                    }).join();
        }
        Files.deleteIfExists(pidFile);
    }

    /**
     * {@code node_modules/dynalite/cli.js} of the checkout {@code start} is in (the nearest folder up
     * with {@code mvnw} and {@code package-lock.json}), installed from its lock file; never one from
     * any other folder on the way up.
     */
    public static Optional<Path> findCli(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("package-lock.json"))) {
                Path cli = dir.resolve("node_modules/dynalite/cli.js");
                return Files.isRegularFile(cli) ? Optional.of(cli) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private boolean accepting() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

}
