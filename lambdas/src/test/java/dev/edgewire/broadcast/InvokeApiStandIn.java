package dev.edgewire.broadcast;

import com.sun.net.httpserver.HttpServer;
import dev.edgewire.standins.sigv4.SigV4Check;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Lambda's Invoke API as far as the fan-out calls it, on loopback: it records each invocation with
 * its SigV4 verdict (key {@code AKIDLOCAL}), can throttle the first ones (429
 * {@code TooManyRequestsException}), and answers with a status, an optional function error header
 * and a body the test sets.
 */
final class InvokeApiStandIn implements AutoCloseable {

    static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCAL", "local-secret"));

    record Invocation(String rawPath, String invocationType, String body, SigV4Check.Verdict signature) {
    }

    final List<Invocation> invocations = new CopyOnWriteArrayList<>();
    final AtomicInteger throttleFirst = new AtomicInteger();
    volatile int status;
    volatile String answer = "";
    volatile String functionError;
    private final SigV4Check signatures = new SigV4Check("AKIDLOCAL", "local-secret", Clock.systemUTC());
    private final HttpServer server;

    /** @param status what a signed invocation is answered: 202 for {@code Event}, 200 for {@code RequestResponse} */
    InvokeApiStandIn(int status) throws IOException {
        this.status = status;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            URI uri = exchange.getRequestURI();
            SigV4Check.Verdict verdict = signatures.check(new SigV4Check.Received(exchange.getRequestMethod(), "http",
                    exchange.getRequestHeaders().getFirst("Host"), uri.getRawPath(), uri.getRawQuery(),
                    exchange.getRequestHeaders()::getFirst, body));
            if (throttleFirst.getAndDecrement() > 0) {
                exchange.getResponseHeaders().add("x-amzn-ErrorType", "TooManyRequestsException");
                exchange.sendResponseHeaders(429, -1);
            } else {
                invocations.add(new Invocation(uri.getRawPath(), exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"),
                        new String(body, StandardCharsets.UTF_8), verdict));
                if (functionError != null) {
                    exchange.getResponseHeaders().add("X-Amz-Function-Error", functionError);
                }
                byte[] out = answer.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(verdict == SigV4Check.Verdict.VALID ? this.status : 403, out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    try (OutputStream stream = exchange.getResponseBody()) {
                        stream.write(out);
                    }
                }
            }
            exchange.close();
        });
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
