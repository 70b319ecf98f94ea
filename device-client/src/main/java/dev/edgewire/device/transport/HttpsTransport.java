package dev.edgewire.device.transport;

import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.tls.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * HTTPS publishing as AWS IoT Core takes it: {@code POST /topics/{url-encoded topic}?qos=N} with the
 * client certificate. One {@link HttpClient} keeps its TLS connection alive and reuses it for every
 * message (one at a time per device), unless {@code reuseConnection} is off, which opens a new
 * connection per message as a plain script would (kept for comparison).
 */
public final class HttpsTransport implements Transport {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Target target;
    private final SSLContext sslContext;
    private final boolean reuseConnection;
    private final Pacer pacer;
    private final HttpClient shared;

    public HttpsTransport(Target target, TlsMaterial tls, boolean reuseConnection) {
        this.target = target;
        if (target.httpsPort() == 443) {
            // Before the SSL context is made, so that it is one that offers the ALPN name.
            AlpnTls.install(target.requireEndpoint(), 443, "x-amzn-http-ca");
        }
        this.sslContext = tls.sslContext();
        this.reuseConnection = reuseConnection;
        this.pacer = target.isAws() ? new Pacer(IotCoreLimits.PUBLISHES_PER_SECOND) : Pacer.unlimited();
        this.shared = reuseConnection ? newClient() : null;
    }

    private HttpClient newClient() {
        SSLParameters parameters = sslContext.getDefaultSSLParameters();
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(sslContext)
                .sslParameters(parameters)
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** Publish endpoint URI of a topic. */
    public static URI topicUri(String host, int port, String topic, int qos) {
        String encoded = URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create("https://" + host + ":" + port + "/topics/" + encoded + "?qos=" + qos);
    }

    /** Opens the kept-alive connection now, so certificate problems surface before the first reading. */
    @Override
    public void connect() {
        HttpClient client = reuseConnection ? shared : newClient();
        HttpRequest probe = HttpRequest.newBuilder(URI.create("https://" + target.requireEndpoint() + ":"
                        + target.httpsPort() + "/"))
                .timeout(TIMEOUT).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        try {
            client.send(probe, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw ConnectFailures.explain(e, target, "HTTPS", target.httpsPort());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportInterruptedException("Interrupted while connecting", e);
        } finally {
            if (!reuseConnection) {
                client.close();
            }
        }
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        if (target.isAws()) {
            IotCoreLimits.checkPayload(payload.length);
        }
        pacer.await();
        HttpRequest request = HttpRequest.newBuilder(topicUri(target.requireEndpoint(), target.httpsPort(), topic, qos))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
        HttpClient client = reuseConnection ? shared : newClient();
        CompletableFuture<Void> result = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenAccept(response -> {
                    if (response.statusCode() / 100 != 2) {
                        String message = "HTTPS " + response.statusCode() + " from " + request.uri().getRawPath()
                                + ": " + response.body();
                        if (response.statusCode() == 429 || response.statusCode() >= 500) {
                            throw new CompletionException(new IOException(message));
                        }
                        throw new PublishRefusedException(message);
                    }
                });
        if (!reuseConnection) {
            // shutdown, not close: close would wait for this very exchange from inside its own callback.
            return result.whenComplete((ok, error) -> client.shutdown());
        }
        return result;
    }

    @Override
    public String protocol() {
        return "https";
    }

    @Override
    public void close() {
        if (shared != null) {
            shared.close();
        }
    }
}
