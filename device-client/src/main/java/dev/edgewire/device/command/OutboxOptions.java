package dev.edgewire.device.command;

import dev.edgewire.device.outbox.Outbox;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the durable outbox lives and how large it may grow. */
public final class OutboxOptions {

    @Option(names = "--outbox", paramLabel = "FILE",
            defaultValue = "${env:EDGEWIRE_OUTBOX}",
            description = "Outbox database; readings wait here until acknowledged. One run holds it at a time, and it "
                    + "sends only to the target it was first used for (env EDGEWIRE_OUTBOX; default: one per target "
                    + "and thing, ~/.edgewire/outbox/ENDPOINT_PORT/THING.db).")
    Path file;

    @Option(names = "--outbox-capacity", defaultValue = "100000", paramLabel = "N",
            description = "Most readings the outbox holds; when full, new readings are refused and none stored is dropped (default: ${DEFAULT-VALUE}).")
    int capacity;

    @Option(names = "--fsync", description = "fsync every stored reading, so it survives a power loss too "
            + "(default: it survives the process being killed).")
    boolean fsync;

    /**
     * The outbox of this target and these devices, held for this run.
     *
     * @param endpoint the IoT endpoint and its MQTT port, as the readings' target, for example {@code localhost:8883}
     * @param scope the thing, or the simulated fleet, whose readings it holds
     */
    Outbox open(String endpoint, String scope) {
        Path chosen = file != null ? file : defaultFile(Path.of(System.getProperty("user.home")), endpoint, scope);
        return Outbox.open(chosen, capacity, fsync ? Outbox.Durability.POWER_LOSS : Outbox.Durability.PROCESS_CRASH, endpoint);
    }

    /** {@code home/.edgewire/outbox/ENDPOINT_PORT/SCOPE.db}, each part kept to safe file-name characters. */
    static Path defaultFile(Path home, String endpoint, String scope) {
        return home.resolve(".edgewire").resolve("outbox").resolve(safe(endpoint)).resolve(safe(scope) + ".db");
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^\\.+", "_");
    }
}
