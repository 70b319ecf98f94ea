package dev.edgewire.systemtests.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A person watching the stage, as a browser, wscat or Postman is: a WebSocket client that keeps every
 * envelope it receives and how its connection ended. A frame that carries several envelopes
 * ({@code {"type":"batch","items":[...]}}) counts as its items.
 */
public final class Watcher implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    /** The close code a browser reports when the connection ended without a close frame. */
    private static final int ABNORMAL_CLOSURE = 1006;

    private final Duration patience;
    private final List<JsonNode> envelopes = new CopyOnWriteArrayList<>();
    private WsClient client;

    private Watcher(Duration patience) {
        this.patience = patience;
    }

    /**
     * Opens a connection to {@code stage} (the stage URL with its query string); a refusal throws
     * {@link WsClient.Refused} with its HTTP status.
     */
    public static Watcher connect(URI stage, Duration patience) throws Exception {
        Watcher watcher = new Watcher(patience);
        watcher.client = WsClient.builder(stage).connectTimeout(Duration.ofSeconds(15)).patience(patience)
                .onMessage(m -> watcher.keep(m.text())).connect();
        return watcher;
    }

    /**
     * The HTTP status the stage answered a refused connection attempt with, or empty if it let the
     * client in (which is then closed again).
     */
    public static Optional<Integer> refusal(URI stage, Duration patience) throws Exception {
        try {
            connect(stage, patience).close();
            return Optional.empty();
        } catch (WsClient.Refused refused) {
            return Optional.of(refused.status());
        }
    }

    public void send(String frame) throws Exception {
        client.send(frame);
    }

    /** Sends {@code {"action":"sendMessage","message":...}}, with {@code deviceId} when given. */
    public void sendMessage(JsonNode message, String deviceId) throws Exception {
        ObjectNode frame = JSON.createObjectNode().put("action", "sendMessage").set("message", message);
        if (deviceId != null) {
            frame.put("deviceId", deviceId);
        }
        send(frame.toString());
    }

    /** Its connection id, as the cloud names it in the {@code from} of the messages it sends. */
    public String connectionId() throws Exception {
        String marker = "who am I " + UUID.randomUUID();
        sendMessage(JSON.getNodeFactory().textNode(marker), null);
        return awaitEnvelope("the echo of my own message",
                e -> "message".equals(e.path("type").asText()) && marker.equals(e.path("message").asText()))
                .path("from").asText();
    }

    /** The first envelope, received before or within the patience, that matches; fails saying what it got. */
    public JsonNode awaitEnvelope(String what, Predicate<JsonNode> matching) {
        await().atMost(patience).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(find(matching))
                .as("%s at a WebSocket client, which got %s", what, envelopes).isPresent());
        return find(matching).orElseThrow();
    }

    public Optional<JsonNode> find(Predicate<JsonNode> matching) {
        return envelopes.stream().filter(matching).findFirst();
    }

    public List<JsonNode> envelopes() {
        return List.copyOf(envelopes);
    }

    /** Completes with the close code when the connection ends (1006 when it ended without a close frame). */
    public CompletableFuture<Integer> closeCode() {
        return client.closeCode().exceptionally(withoutCloseFrame -> ABNORMAL_CLOSURE);
    }

    /** Drops the TCP connection without a close frame, as a laptop that sleeps or a phone that loses signal. */
    public void vanish() {
        client.abort();
    }

    @Override
    public void close() {
        client.close();
    }

    private void keep(String frame) {
        try {
            JsonNode envelope = JSON.readTree(frame);
            if ("batch".equals(envelope.path("type").asText()) && envelope.path("items").isArray()) {
                envelope.path("items").forEach(envelopes::add);
            } else {
                envelopes.add(envelope);
            }
        } catch (Exception notJson) {
            // Kept, so that the failure message shows it: everything the cloud sends is a JSON object.
            envelopes.add(JSON.getNodeFactory().textNode(frame));
        }
    }
}
