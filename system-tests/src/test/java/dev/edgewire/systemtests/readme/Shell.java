package dev.edgewire.systemtests.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Runs commands as a person pastes them into a terminal: one bash per command or block, in a working
 * directory, with standard output and error merged and kept line by line. Every run is bounded: it is
 * awaited with a timeout, or stopped.
 */
final class Shell {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path directory;
    private final Map<String, String> environment;

    Shell(Path directory, Map<String, String> environment) {
        this.directory = directory;
        this.environment = Map.copyOf(environment);
    }

    /** Starts {@code script} with bash; a failing command ends it ({@code set -e}, pipefail). */
    Run start(String name, String script) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -eo pipefail\n" + script)
                .directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        return new Run(name, script, builder.start());
    }

    /** Runs {@code script} to its end within {@code timeout}; fails unless it exits with 0. */
    Run run(String name, String script, Duration timeout) throws Exception {
        Run run = start(name, script);
        run.closeInput();
        run.awaitSuccess(timeout);
        return run;
    }

    /** One running (or ended) script and everything it printed. */
    static final class Run implements AutoCloseable {

        private final String name;
        private final String script;
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        private Run(String name, String script, Process process) {
            this.name = name;
            this.script = script;
            this.process = process;
            this.reader = Thread.ofPlatform().daemon().name("output of " + name).start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ended) {
                    // The process is gone; what it printed is kept.
                }
            });
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        String output() {
            return String.join("\n", lines);
        }

        /** Types a line, as at a terminal. */
        void type(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Ctrl-D. */
        void closeInput() throws IOException {
            process.getOutputStream().close();
        }

        /** Waits until a line printed so far matches; fails with the output when it does not come in time. */
        void awaitLine(String what, Predicate<String> matching, Duration timeout) {
            await(what + " from " + name).atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .failFast(() -> !process.isAlive() && !reader.isAlive() && lines.stream().noneMatch(matching))
                    .until(() -> lines.stream().anyMatch(matching));
        }

        void awaitSuccess(Duration timeout) throws InterruptedException {
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                stop();
            }
            reader.join(5_000);
            assertThat(ended).as("%s ended within %s; it printed:\n%s", this, timeout, output()).isTrue();
            assertThat(process.exitValue()).as("exit status of %s; it printed:\n%s", this, output()).isZero();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /**
         * Ctrl-C's outcome: SIGTERM to the commands the script started (not to the processes a JVM among them
         * started itself, such as local mode's store: that JVM stops them), then SIGKILL to what is left.
         */
        void stop() throws InterruptedException {
            // Bash may have exec'd the command: then the process itself is the command.
            List<ProcessHandle> all = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
            all.stream().filter(p -> p.equals(process.toHandle()) || p.parent().map(parent -> !isJava(parent)).orElse(true))
                    .forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            for (ProcessHandle p : all) {
                try {
                    p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException stillAlive) {
                    p.destroyForcibly();
                }
            }
            process.waitFor(5, TimeUnit.SECONDS);
            reader.join(5_000);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive() || process.descendants().findAny().isPresent()) {
                stop();
            }
        }

        private static boolean isJava(ProcessHandle p) {
            return p.info().command().map(c -> c.endsWith("/java")).orElse(false);
        }

        @Override
        public String toString() {
            return name + " (" + script.replace("\n", " \\n ") + ")";
        }
    }
}
