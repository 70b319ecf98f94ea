package dev.edgewire.testing;

import com.sun.net.httpserver.HttpExchange;
import dev.edgewire.runtime.Json;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * A small real HTTP server on a free loopback port that answers as API Gateway's
 * {@code @connections} management API does ({@code POST /{stage}/@connections/{id}}: 200, or 410
 * {@code GoneException} for a gone connection), and as the IoT Data Plane's
 * {@code POST /topics/{topic}?qos=1} does. It records what it was sent. An optional delay per
 * request stands in for the network between a Lambda and API Gateway. When given the caller's
 * credentials it also checks each request's SigV4 signature, as API Gateway does, by signing the
 * request it received again with the SDK's signer at the request's own time, and answers 403
 * {@code InvalidSignatureException} on a mismatch.
 */
public final class ConnectionsApiServer implements AutoCloseable {

    private static final Pattern SIGV4 = Pattern.compile(
            "^AWS4-HMAC-SHA256 Credential=([^/]+)/\\d{8}/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$");

    public static final String STAGE = "demo";

    /** One post it received. */
    public record Post(String connectionId, String body) {
    }

    /** One IoT publish it received. */
    public record Publish(String topic, String query, String body) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final List<Publish> publishes = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final List<Answer> nextAnswers = new CopyOnWriteArrayList<>();
    private final AtomicInteger verified = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;
    private volatile String secretString;
    private volatile AwsCredentialsIdentity signer;
    private volatile List<String> lastSignedHeaders = List.of();

    /** A canned answer for the next {@code @connections} post, in place of the normal one. */
    private record Answer(int status, String errorType) {
    }

    public ConnectionsApiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The callback URL a handler is given: {@code http://127.0.0.1:<port>/demo}. */
    public URI callbackUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + STAGE);
    }

    /** The IoT data endpoint a handler is given. */
    public URI iotDataEndpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void markGone(String connectionId) {
        gone.add(connectionId);
    }

    /** Also answer Secrets Manager's GetSecretValue (JSON 1.1 on {@code POST /}) with this secret string. */
    public void serveSecret(String secretString) {
        this.secretString = secretString;
    }

    /**
     * Check every request's SigV4 signature against this key pair from now on. A session token, when
     * the caller has one, is taken from the request: it must be sent, and signed, but is not checked.
     */
    public void verifySignatures(AwsCredentialsIdentity credentials) {
        this.signer = AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey());
    }

    /** The headers the last correctly signed request listed as signed. */
    public List<String> lastSignedHeaders() {
        return lastSignedHeaders;
    }

    /** Requests whose signature was checked and found right. */
    public int verifiedSignatures() {
        return verified.get();
    }

    /** Answers the next {@code times} posts with {@code status} and this error type, without delivering them. */
    public void answerNextPosts(int times, int status, String errorType) {
        for (int i = 0; i < times; i++) {
            nextAnswers.add(new Answer(status, errorType));
        }
    }

    public void delayEachRequest(Duration delay) {
        this.delay = delay;
    }

    public List<Post> posts() {
        return List.copyOf(posts);
    }

    public List<Publish> publishes() {
        return List.copyOf(publishes);
    }

    public int peakInFlight() {
        return peakInFlight.get();
    }

    public void reset() {
        posts.clear();
        publishes.clear();
        gone.clear();
        peakInFlight.set(0);
        nextAnswers.clear();
        verified.set(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
        try (exchange) {
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            String body = new String(bytes, StandardCharsets.UTF_8);
            if (!delay.isZero()) {
                Thread.sleep(delay);
            }
            AwsCredentialsIdentity credentials = signer;
            if (credentials != null && !signatureMatches(exchange, bytes, credentials)) {
                exchange.getResponseHeaders().add("x-amzn-ErrorType", "InvalidSignatureException");
                respond(exchange, 403, "{\"message\":\"The request signature we calculated does not match the signature you provided.\"}");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String connectionsPrefix = "/" + STAGE + "/@connections/";
            if ("POST".equals(exchange.getRequestMethod()) && path.startsWith(connectionsPrefix)) {
                String id = URLDecoder.decode(path.substring(connectionsPrefix.length()), StandardCharsets.UTF_8);
                Answer canned = nextAnswers.isEmpty() ? null : nextAnswers.removeFirst();
                if (canned != null) {
                    exchange.getResponseHeaders().add("x-amzn-ErrorType", canned.errorType());
                    respond(exchange, canned.status(), "{\"message\":\"" + canned.errorType() + "\"}");
                } else if (gone.contains(id)) {
                    exchange.getResponseHeaders().add("x-amzn-ErrorType", "GoneException");
                    respond(exchange, 410, "{\"message\":null}");
                } else {
                    posts.add(new Post(id, body));
                    respond(exchange, 200, "");
                }
            } else if ("POST".equals(exchange.getRequestMethod()) && path.startsWith("/topics/")) {
                String topic = URLDecoder.decode(path.substring("/topics/".length()), StandardCharsets.UTF_8);
                publishes.add(new Publish(topic, exchange.getRequestURI().getQuery(), body));
                respond(exchange, 200, "{\"message\":\"OK\",\"traceId\":\"local\"}");
            } else if (secretString != null && "secretsmanager.GetSecretValue".equals(exchange.getRequestHeaders().getFirst("X-Amz-Target"))) {
                String arn = Json.MAPPER.readTree(body).path("SecretId").asText();
                respond(exchange, 200, Json.write(Map.of("ARN", arn, "SecretString", secretString)));
            } else {
                respond(exchange, 404, "{\"message\":\"Not Found\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Signs the request as received (method, raw path and query, the headers it lists as signed,
     * the body) with the SDK's signer at its {@code X-Amz-Date}, and compares the result.
     */
    private boolean signatureMatches(HttpExchange exchange, byte[] body, AwsCredentialsIdentity credentials) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String date = exchange.getRequestHeaders().getFirst("X-Amz-Date");
        Matcher m = authorization == null || date == null ? null : SIGV4.matcher(authorization);
        if (m == null || !m.matches()) {
            return false;
        }
        SdkHttpRequest.Builder received = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(exchange.getRequestMethod()))
                .uri(URI.create("http://" + exchange.getRequestHeaders().getFirst("Host") + exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery())));
        for (String name : m.group(4).split(";")) {
            if (!name.equals("host") && !name.equals("x-amz-date")) {
                received.putHeader(name, exchange.getRequestHeaders().getFirst(name));
            }
        }
        Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(date, Instant::from);
        SdkHttpRequest resigned = AwsV4HttpSigner.create().sign(r -> r.identity(credentials)
                .request(received.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, m.group(3))
                .putProperty(AwsV4HttpSigner.REGION_NAME, m.group(2))
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC))).request();
        boolean matches = m.group(1).equals(credentials.accessKeyId())
                && authorization.equals(resigned.firstMatchingHeader("Authorization").orElse(""));
        if (matches) {
            lastSignedHeaders = List.of(m.group(4).split(";"));
            verified.incrementAndGet();
        }
        return matches;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Posts per connection id. */
    public Map<String, List<String>> postsById() {
        Map<String, List<String>> byId = new ConcurrentHashMap<>();
        posts.forEach(p -> byId.computeIfAbsent(p.connectionId(), k -> new CopyOnWriteArrayList<>()).add(p.body()));
        return byId;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
