package dev.edgewire.device.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.edgewire.standins.pki.LocalPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTPS publish endpoint as AWS IoT Core serves it, on a free loopback port: {@code POST
 * /topics/{url-encoded topic}?qos=N}, client certificate required, 200 with {@code {"message":"OK",...}}.
 * A topic starting with {@code forbidden/} gets IoT Core's 403 answer. Records every message and the
 * client ports it came from, so a test can tell one kept-alive connection from one per message.
 */
public final class TlsHttpsEndpoint implements AutoCloseable {

    public record Message(String topic, String qos, String body) {
    }

    private final HttpsServer server;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

    public TlsHttpsEndpoint(LocalPki pki) throws Exception {
        SSLContext context = pki.serverContext();

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setNeedClientAuth(true);
                params.setSSLParameters(parameters);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            String path = exchange.getRequestURI().getRawPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod()) || !path.startsWith("/topics/")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String topic = URLDecoder.decode(path.substring("/topics/".length()), StandardCharsets.UTF_8);
            String query = exchange.getRequestURI().getQuery();
            String traceId = UUID.randomUUID().toString();
            byte[] answer;
            int status;
            if (topic.startsWith("forbidden/")) {
                status = 403;
                answer = ("{\"message\":\"Forbidden\",\"traceId\":\"" + traceId + "\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                messages.add(new Message(topic, query, new String(body, StandardCharsets.UTF_8)));
                status = 200;
                answer = ("{\"message\":\"OK\",\"traceId\":\"" + traceId + "\"}").getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    public TlsHttpsEndpoint start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Message> messages() {
        return messages;
    }

    /** Client-side ports seen so far: one per TLS connection the client opened. */
    public Set<Integer> clientPorts() {
        return clientPorts;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

}
