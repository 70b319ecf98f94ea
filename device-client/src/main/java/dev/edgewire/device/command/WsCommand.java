package dev.edgewire.device.command;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.DeviceJson;
import dev.edgewire.device.cloud.Setting;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.cloud.TargetOptions;
import dev.edgewire.contract.Topology;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ws", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"WebSocket client of the stage: prints every envelope that arrives, one line each, and "
                + "sends each line typed on standard input as {\"action\":\"sendMessage\",\"message\":LINE}.",
                "End input (Ctrl-D) to close."})
public final class WsCommand implements Callable<Integer> {
    /** RFC 6455 status for a connection that ended without a close frame. */
    private static final int ABNORMAL_CLOSURE = 1006;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--device", paramLabel = "THING", description = "Send lines to this device's commands topic instead of general/outbound.")
    String device;

    @Option(names = "--watch", split = ",", paramLabel = "THING",
            description = "Receive readings from these devices only (comma-separated); messages still arrive. Default: every device.")
    List<String> watch;

    @Option(names = "--raw", description = "Send each input line as it is (a whole JSON frame) instead of wrapping it.")
    boolean raw;

    @Option(names = "--linger", defaultValue = "2s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "After input ends, keep printing arrivals this long before closing (default: ${DEFAULT-VALUE}).")
    Duration linger;

    @Override
    public Integer call() throws Exception {
        Target resolved = target.resolve();
        if (resolved.webSocketUrl() == null) {
            throw DeviceException.usage("No WebSocket URL: give " + Setting.WEBSOCKET_URL.flag() + ", set "
                    + Setting.WEBSOCKET_URL.envVar() + ", or pass --outputs with a WebSocketUrl output.");
        }
        URI uri = connectUri(resolved.webSocketUrl(), resolved.token());
        PrintWriter out = spec.commandLine().getOut();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket;
        try (HttpClient http = HttpClient.newHttpClient()) {
            try {
                socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(15))
                        .buildAsync(uri, new Printer(out, closed)).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new DeviceException(ExitCodes.UNREACHABLE, "WebSocket connect to " + redact(uri) + " failed: "
                        + describe(e.getCause()) + (resolved.tokenIfAny().isEmpty()
                        ? " (no token given: --token, EDGEWIRE_TOKEN or the outputs file's Token)" : ""), e.getCause());
            } catch (TimeoutException e) {
                throw new DeviceException(ExitCodes.UNREACHABLE, "WebSocket connect to " + redact(uri) + " timed out");
            }
            System.err.println("connected to " + redact(uri) + "; type a message and press Enter (Ctrl-D to end)");
            if (watch != null && !watch.isEmpty()) {
                // The stage answers {"type":"subscribed",...}, printed like any envelope.
                socket.sendText(subscribeFrame(watch), true).get(10, TimeUnit.SECONDS);
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while (!closed.isDone() && (line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                socket.sendText(frame(line), true).get(10, TimeUnit.SECONDS);
            }
            try {
                int status = closed.get(linger.toMillis(), TimeUnit.MILLISECONDS);
                if (status != WebSocket.NORMAL_CLOSURE) {
                    spec.commandLine().getErr().println("edgewire-device: the server closed the WebSocket with status " + status);
                    spec.commandLine().getErr().flush();
                    return ExitCodes.UNREACHABLE;
                }
            } catch (TimeoutException e) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            }
        }
        return ExitCodes.OK;
    }

    String frame(String line) {
        if (raw) {
            return line;
        }
        ObjectNode frame = DeviceJson.MAPPER.createObjectNode().put("action", "sendMessage").put("message", line);
        if (device != null) {
            frame.put("deviceId", device);
        }
        return frame.toString();
    }

    /** {@code {"action":"subscribe","devices":[...]}} for these things. */
    static String subscribeFrame(List<String> devices) {
        ObjectNode frame = DeviceJson.MAPPER.createObjectNode().put("action", "subscribe");
        ArrayNode names = frame.putArray("devices");
        devices.stream().map(String::trim).filter(d -> !d.isEmpty()).distinct().forEach(names::add);
        return frame.toString();
    }

    static URI connectUri(String url, String token) {
        if (token == null || token.isBlank()) {
            return URI.create(url);
        }
        return URI.create(url + (url.contains("?") ? "&" : "?") + Topology.TOKEN_QUERY_PARAMETER + "="
                + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    /** The handshake's HTTP status when there was one (401/403: the token was refused), else the cause. */
    private static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.http.WebSocketHandshakeException handshake) {
                int status = handshake.getResponse().statusCode();
                return "HTTP " + status + (status == 401 || status == 403 ? " (the token was refused)" : "");
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static String redact(URI uri) {
        String text = uri.toString();
        return text.replaceAll("(" + Topology.TOKEN_QUERY_PARAMETER + "=)[^&]*", "$1***");
    }

    private static final class Printer implements WebSocket.Listener {
        private final PrintWriter out;
        private final CompletableFuture<Integer> closed;
        private final StringBuilder partial = new StringBuilder();

        Printer(PrintWriter out, CompletableFuture<Integer> closed) {
            this.out = out;
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                synchronized (out) {
                    for (String envelope : envelopes(partial.toString())) {
                        out.println(envelope);
                    }
                    out.flush();
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!closed.isDone()) {
                System.err.println("closed: " + statusCode + (reason.isEmpty() ? "" : " " + reason));
            }
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            System.err.println("WebSocket error: " + error.getMessage());
            closed.complete(ABNORMAL_CLOSURE);
        }
    }

    /**
     * The envelopes of one message, one line each: a {@code {"type":"batch","items":[...]}} message
     * carries several (docs/architecture.md, "Frames"); anything else is printed as it came.
     */
    static List<String> envelopes(String message) {
        if (!message.startsWith("{\"type\":\"batch\"")) {
            return List.of(message);
        }
        try {
            JsonNode batch = DeviceJson.MAPPER.readTree(message);
            if (!batch.path("items").isArray()) {
                return List.of(message);
            }
            List<String> items = new ArrayList<>();
            for (JsonNode item : batch.path("items")) {
                items.add(DeviceJson.MAPPER.writeValueAsString(item));
            }
            return items;
        } catch (JsonProcessingException e) {
            return List.of(message);
        }
    }
}
