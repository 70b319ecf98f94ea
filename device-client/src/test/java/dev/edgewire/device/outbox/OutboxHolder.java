package dev.edgewire.device.outbox;

import java.nio.file.Path;

/** A second run, in a process of its own: holds the outbox given in {@code args[0]} until its input ends. */
public final class OutboxHolder {

    private OutboxHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (Outbox outbox = Outbox.open(Path.of(args[0]), 10, Outbox.Durability.PROCESS_CRASH, args[1])) {
            System.out.println("held");
            System.out.flush();
            System.in.read();
        }
    }
}
