package dev.edgewire.local.websocket;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The open connections of the local WebSocket API, by connection id. */
public final class ConnectionRegistry {

    private final ConcurrentHashMap<String, LocalConnection> connections = new ConcurrentHashMap<>();

    void add(LocalConnection connection) {
        connections.put(connection.id(), connection);
    }

    void remove(String id) {
        connections.remove(id);
    }

    /** The connection, while it can still receive messages. */
    public Optional<LocalConnection> open(String id) {
        return Optional.ofNullable(connections.get(id)).filter(LocalConnection::isOpen);
    }

    public Collection<LocalConnection> all() {
        return connections.values();
    }

    public int size() {
        return connections.size();
    }
}
