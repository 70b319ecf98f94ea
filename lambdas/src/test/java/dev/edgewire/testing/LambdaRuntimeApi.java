package dev.edgewire.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgewire.standins.cloud.JsonResponses;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Lambda Runtime API of one execution environment, on a free loopback port: the interface
 * Lambda's runtime client talks to (AWS Lambda Developer Guide, "Using the Lambda runtime API for
 * custom runtimes"). The test queues events with {@link #invoke}; the runtime long-polls
 * {@code GET /2018-06-01/runtime/invocation/next}, gets one with the request id, deadline,
 * function ARN and trace id headers, and answers on {@code .../invocation/{id}/response} or
 * {@code .../invocation/{id}/error}. A failed start is reported on {@code .../init/error}.
 *
 * <p>In SnapStart's {@code snap-start} init mode the Java runtime client (2.10.1,
 * {@code AWSLambda.onInitComplete}) also calls {@code GET .../restore/next} after running the
 * {@code beforeCheckpoint} hooks, and runs the {@code afterRestore} hooks when that returns 200;
 * Lambda answers it when the snapshot is restored, so
 * here it is answered at once. A failed hook is reported on {@code .../restore/error} (or
 * {@code .../init/error} for {@code beforeCheckpoint}). Every call is recorded, in order.
 */
public final class LambdaRuntimeApi implements AutoCloseable {

    static final String PREFIX = "/2018-06-01/runtime";
    public static final String NEXT = "GET " + PREFIX + "/invocation/next";
    public static final String RESTORE_NEXT = "GET " + PREFIX + "/restore/next";

    /** The answer to one invocation: the response body, or the error body with its error type. */
    public record Outcome(String requestId, String body, String errorType) {
        public boolean failed() {
            return errorType != null;
        }
    }

    private record Invocation(String requestId, String traceId, long deadlineMs, byte[] event, CompletableFuture<Outcome> outcome) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final String functionArn;
    private final Duration timeout;
    private final BlockingQueue<Invocation> queued = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> handedOut = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> startFailure = new CompletableFuture<>();
    private final CompletableFuture<Long> firstPoll = new CompletableFuture<>();

    /**
     * @param functionArn what {@code Lambda-Runtime-Invoked-Function-Arn} says
     * @param timeout the function's time limit, for {@code Lambda-Runtime-Deadline-Ms}
     */
    public LambdaRuntimeApi(String functionArn, Duration timeout) throws IOException {
        this.functionArn = functionArn;
        this.timeout = timeout;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext(PREFIX + "/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API}: host and port, no scheme. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues one event; the future completes when the runtime answers it. */
    public CompletableFuture<Outcome> invoke(String event) {
        String requestId = UUID.randomUUID().toString();
        Invocation invocation = new Invocation(requestId, traceId(), System.currentTimeMillis() + timeout.toMillis(),
                event.getBytes(StandardCharsets.UTF_8), new CompletableFuture<>());
        handedOut.put(requestId, invocation);
        queued.add(invocation);
        return invocation.outcome();
    }

    /** The calls the runtime made, as {@code METHOD path}, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** Completes with the error the runtime reported on {@code init/error} or {@code restore/error}. */
    public CompletableFuture<String> startFailure() {
        return startFailure;
    }

    /** Completes with {@link System#nanoTime()} at the runtime's first poll for an event: its init is done. */
    public CompletableFuture<Long> firstPoll() {
        return firstPoll;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String call = exchange.getRequestMethod() + " " + path;
            calls.add(call);
            byte[] body = exchange.getRequestBody().readAllBytes();
            String rest = path.substring(PREFIX.length());
            if (call.equals(NEXT)) {
                firstPoll.complete(System.nanoTime());
                next(exchange);
            } else if (call.equals(RESTORE_NEXT)) {
                JsonResponses.respond(exchange, 200, "");
            } else if (call.equals("POST " + PREFIX + "/init/error") || call.equals("POST " + PREFIX + "/restore/error")) {
                startFailure.complete(errorType(exchange) + " " + new String(body, StandardCharsets.UTF_8));
                JsonResponses.respond(exchange, 202, "{\"status\":\"OK\"}");
            } else if (exchange.getRequestMethod().equals("POST") && rest.startsWith("/invocation/")
                    && (rest.endsWith("/response") || rest.endsWith("/error"))) {
                String requestId = rest.substring("/invocation/".length(), rest.lastIndexOf('/'));
                Invocation invocation = handedOut.remove(requestId);
                if (invocation == null) {
                    JsonResponses.respond(exchange, 400, "{\"errorMessage\":\"unknown request id " + requestId + "\",\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                String text = new String(body, StandardCharsets.UTF_8);
                // The runtime client always names a type for an error; a blank one must still count as a failure.
                String type = rest.endsWith("/error") ? String.valueOf(errorType(exchange)) : null;
                invocation.outcome().complete(new Outcome(requestId, text, type));
                JsonResponses.respond(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                JsonResponses.respond(exchange, 404, "{\"errorMessage\":\"not a Runtime API path\",\"errorType\":\"NotFound\"}");
            }
        } catch (InterruptedException e) {
            // closing: the runtime's poll goes unanswered, as when Lambda freezes an environment
            Thread.currentThread().interrupt();
        }
    }

    private void next(HttpExchange exchange) throws IOException, InterruptedException {
        Invocation invocation = queued.take();
        var headers = exchange.getResponseHeaders();
        headers.add("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(invocation.deadlineMs()));
        headers.add("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        headers.add("Lambda-Runtime-Trace-Id", invocation.traceId());
        headers.add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, invocation.event().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(invocation.event());
        }
    }

    private static String errorType(HttpExchange exchange) {
        return exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
    }

    /** An X-Ray trace header as Lambda passes it: a root id of version, epoch seconds and 96 random bits. */
    private static String traceId() {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + HexFormat.of().formatHex(random)
                + ";Parent=" + HexFormat.of().formatHex(random, 0, 8) + ";Sampled=0";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        handedOut.values().forEach(i -> i.outcome().cancel(false));
    }
}
