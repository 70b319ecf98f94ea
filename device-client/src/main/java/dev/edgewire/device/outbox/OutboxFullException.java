package dev.edgewire.device.outbox;

import java.nio.file.Path;

/** The outbox holds its maximum of unacknowledged readings; no new reading is taken until some are delivered. */
public final class OutboxFullException extends RuntimeException {
    public OutboxFullException(int capacity, Path file) {
        super("The outbox " + file + " is full (" + capacity
                + " readings waiting for acknowledgement); new readings are refused until the target takes some.");
    }
}
