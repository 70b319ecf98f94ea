package dev.edgewire.device.testing;

import dev.edgewire.device.EdgewireDevice;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/** Runs {@code edgewire-device} in this JVM and keeps what it printed. */
public final class Cli {

    public record Result(int exitCode, String out, String err) {
    }

    /** A run in progress whose output can be read while it runs. */
    public static final class Running {
        public final StringWriter out = new StringWriter();
        public final StringWriter err = new StringWriter();
        public CompletableFuture<Result> result;
    }

    private Cli() {
    }

    public static Result run(List<String> base, String... args) {
        return start(base, args).result.join();
    }

    public static Running start(List<String> base, String... args) {
        Running running = new Running();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(base);
        CommandLine commandLine = EdgewireDevice.commandLine();
        commandLine.setOut(new PrintWriter(running.out, true));
        commandLine.setErr(new PrintWriter(running.err, true));
        running.result = CompletableFuture.supplyAsync(() -> {
            int code = commandLine.execute(all.toArray(String[]::new));
            return new Result(code, running.out.toString(), running.err.toString());
        }, command -> Thread.ofPlatform().daemon().start(command));
        return running;
    }
}
