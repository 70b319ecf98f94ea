package dev.edgewire.connection;

import java.util.Objects;
import java.util.Set;

/**
 * An open connection and the devices whose readings it chose ({@code subscribe}): {@code devices}
 * is {@code null} for every device, the default, and empty for none (it still gets messages).
 */
public record Watcher(String connectionId, Set<String> devices) {

    public Watcher {
        Objects.requireNonNull(connectionId, "connectionId");
        devices = devices == null ? null : Set.copyOf(devices);
    }

    /** A connection that chose nothing: every device. */
    public static Watcher ofAll(String connectionId) {
        return new Watcher(connectionId, null);
    }

    /** Whether it wants readings from {@code deviceId}. */
    public boolean wants(String deviceId) {
        return devices == null || devices.contains(deviceId);
    }
}
