package dev.edgewire.device.command;

import dev.edgewire.device.outbox.Outbox;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the durable outbox lives and how large it may grow. */
public final class OutboxOptions {

    @Option(names = "--outbox", paramLabel = "FILE",
            defaultValue = "${env:EDGEWIRE_OUTBOX:-${sys:user.home}/.edgewire/outbox.db}",
            description = "Outbox database; readings wait here until acknowledged (env EDGEWIRE_OUTBOX; default: ${DEFAULT-VALUE}).")
    Path file;

    @Option(names = "--outbox-capacity", defaultValue = "100000", paramLabel = "N",
            description = "Most readings the outbox holds; when full, new readings are refused and none stored is dropped (default: ${DEFAULT-VALUE}).")
    int capacity;

    @Option(names = "--fsync", description = "fsync every stored reading, so it survives a power loss too "
            + "(default: it survives the process being killed).")
    boolean fsync;

    Outbox open() {
        return Outbox.open(file, capacity, fsync ? Outbox.Durability.POWER_LOSS : Outbox.Durability.PROCESS_CRASH);
    }
}
