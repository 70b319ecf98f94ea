package dev.edgewire.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.device.testing.Cli;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ws} against a real WebSocket server that checks the token on connect, as the stage's
 * authorizer does, and answers each frame with an envelope.
 */
class WebSocketClientIT {
    private static final String TOKEN = "t0k/en+=";

    private Server server;
    private ServerConnector connector;
    private final List<String> frames = new CopyOnWriteArrayList<>();
    private InputStream originalIn;

    @BeforeEach
    void startServer() throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> container.addMapping("/demo",
                (request, response, callback) -> {
                    String token = Request.extractQueryParameters(request).getValue("token");
                    if (!TOKEN.equals(token)) {
                        Response.writeError(request, response, callback, 401);
                        return null;
                    }
                    return new Envelopes(frames);
                })));
        server.start();
        originalIn = System.in;
    }

    @AfterEach
    void stopServer() throws Exception {
        System.setIn(originalIn);
        server.stop();
    }

    /** Public: Jetty looks the endpoint's listener methods up reflectively. */
    public static final class Envelopes implements Session.Listener.AutoDemanding {
        private final List<String> frames;
        private Session session;

        Envelopes(List<String> frames) {
            this.frames = frames;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            session.sendText("{\"type\":\"message\",\"from\":\"server\",\"message\":\"welcome\"}", Callback.NOOP);
        }

        @Override
        public void onWebSocketText(String message) {
            frames.add(message);
            session.sendText("{\"type\":\"message\",\"from\":\"conn-1\",\"echo\":" + message + "}", Callback.NOOP);
        }
    }

    private String url() {
        return "ws://127.0.0.1:" + connector.getLocalPort() + "/demo";
    }

    @Test
    void linesTyped_areSentAsSendMessage_andEveryEnvelopeIsPrinted() {
        System.setIn(new ByteArrayInputStream("hello from terminal2\nsecond line\n".getBytes(StandardCharsets.UTF_8)));

        Cli.Result result = Cli.run(List.of(), "ws", "--ws-url", url(), "--token", TOKEN, "--linger", "2s");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(frames).containsExactly(
                "{\"action\":\"sendMessage\",\"message\":\"hello from terminal2\"}",
                "{\"action\":\"sendMessage\",\"message\":\"second line\"}");
        assertThat(result.out().lines().toList()).contains(
                "{\"type\":\"message\",\"from\":\"server\",\"message\":\"welcome\"}",
                "{\"type\":\"message\",\"from\":\"conn-1\",\"echo\":{\"action\":\"sendMessage\",\"message\":\"hello from terminal2\"}}");
    }

    @Test
    void device_addsTheDeviceId_soTheMessageGoesToThatThing() {
        System.setIn(new ByteArrayInputStream("turn left\n".getBytes(StandardCharsets.UTF_8)));

        Cli.Result result = Cli.run(List.of(), "ws", "--ws-url", url(), "--token", TOKEN, "--device", "thing-1",
                "--linger", "1s");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(frames).containsExactly("{\"action\":\"sendMessage\",\"message\":\"turn left\",\"deviceId\":\"thing-1\"}");
    }

    @Test
    void watch_subscribesToThoseDevices_beforeTheFirstLine() {
        System.setIn(new ByteArrayInputStream("hi\n".getBytes(StandardCharsets.UTF_8)));

        Cli.Result result = Cli.run(List.of(), "ws", "--ws-url", url(), "--token", TOKEN, "--watch", "thing-2, thing-1,thing-2",
                "--linger", "1s");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(frames).containsExactly("{\"action\":\"subscribe\",\"devices\":[\"thing-2\",\"thing-1\"]}",
                "{\"action\":\"sendMessage\",\"message\":\"hi\"}");
    }

    @Test
    void aRefusedToken_failsTheConnect_withAClearMessage() {
        System.setIn(new ByteArrayInputStream(new byte[0]));

        Cli.Result result = Cli.run(List.of(), "ws", "--ws-url", url(), "--token", "wrong");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("WebSocket connect to " + url() + "?token=*** failed");
        assertThat(frames).isEmpty();
    }
}
