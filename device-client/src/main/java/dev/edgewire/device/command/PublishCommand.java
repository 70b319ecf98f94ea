package dev.edgewire.device.command;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.cloud.TargetOptions;
import dev.edgewire.device.tls.TlsMaterial;
import dev.edgewire.device.transport.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish one message, or a file, over MQTT or HTTPS.",
                "Without --message or --file, publishes one reading of the dummy data set for the thing, "
                        + "through the durable outbox (as `simulate --count 1` does)."})
public final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Mixin
    TransportOptions transport;

    @Mixin
    OutboxOptions outbox;

    @Option(names = "--topic", description = "Topic (default: devices/{thingName}/telemetry).")
    String topic;

    static final class Body {
        @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "The message to send.")
        String message;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Send the file's content as one message.")
        Path file;
    }

    @ArgGroup(exclusive = true)
    Body body;

    @Option(names = "--lines", description = "With --file: send each non-empty line as its own message.")
    boolean lines;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Wait this long for each acknowledgement (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        transport.validate();
        if (body == null) {
            SimulateCommand single = new SimulateCommand();
            single.spec = spec;
            single.target = target;
            single.transport = transport;
            single.outbox = outbox;
            single.devices = 1;
            single.rate = 1000;
            single.count = 1;
            single.seed = 42;
            single.topic = topic;
            single.maxInFlight = 1;
            single.drainTimeout = Duration.ofSeconds(timeoutSeconds);
            single.progress = false;
            single.devicePrefix = "sim-";
            return single.call();
        }
        List<byte[]> messages = messages();
        Target resolved = target.resolve();
        String destination = topic != null ? topic : resolved.telemetryTopic(resolved.thingName());
        PrintWriter out = spec.commandLine().getOut();
        try (Transport connection = transport.open(resolved, resolved.thingName(), TlsMaterial.forTarget(resolved), System.err)) {
            connection.connect();
            for (byte[] message : messages) {
                long start = System.nanoTime();
                connection.publishAndAwait(destination, message, transport.qos, Duration.ofSeconds(timeoutSeconds));
                out.printf("published %d bytes to %s over %s (QoS %d), acknowledged in %.1f ms%n", message.length,
                        destination, connection.protocol(), transport.qos, (System.nanoTime() - start) / 1e6);
                out.flush();
            }
        }
        return ExitCodes.OK;
    }

    private List<byte[]> messages() {
        if (body.message != null) {
            return List.of(body.message.getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (lines) {
                return Files.readAllLines(body.file, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.isBlank()).map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
            }
            return List.of(Files.readAllBytes(body.file));
        } catch (NoSuchFileException e) {
            throw DeviceException.usage("File not found: " + body.file);
        } catch (IOException e) {
            throw DeviceException.usage("Could not read " + body.file + ": " + e.getMessage());
        }
    }
}
