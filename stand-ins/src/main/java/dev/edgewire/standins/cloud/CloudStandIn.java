package dev.edgewire.standins.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgewire.contract.SqsChecksums;
import dev.edgewire.standins.connections.ConnectionsApi;
import dev.edgewire.standins.sigv4.SigV4Check;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The AWS services a function calls, for the functions' tests and benchmarks: a small real HTTP
 * server on a free loopback port that answers as API Gateway's {@code @connections} management API
 * does ({@link ConnectionsApi}, over connections that record what they are sent; a connection marked
 * gone answers 410 {@code GoneException}), and as the IoT Data Plane's
 * {@code POST /topics/{topic}?qos=1} does, recording each publish. An optional delay per
 * request stands in for the network between a Lambda and API Gateway. When given the caller's
 * credentials it also checks each request's SigV4 signature, as API Gateway does, by signing the
 * request it received again with the SDK's signer at the request's own time, and answers 403
 * {@code InvalidSignatureException} on a mismatch. Given session credentials, it also wants their
 * session token in {@code X-Amz-Security-Token}, and answers 403 {@code UnrecognizedClientException}
 * without it.
 *
 * <p>It can also stand in for Secrets Manager's {@code GetSecretValue} (JSON 1.1, {@code POST /}) with
 * an {@code AWSCURRENT} and an optional {@code AWSPREVIOUS} version, answering a label no version
 * carries with 400 {@code ResourceNotFoundException}, as the service does (AWS Secrets Manager API
 * Reference, GetSecretValue).
 *
 * <p>And it can stand in front of a DynamoDB-compatible store ({@link #forwardDynamoDbTo}), so
 * DynamoDB calls get the same signature check before the store serves them.
 */
public final class CloudStandIn implements AutoCloseable {

    public static final String STAGE = "demo";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code X-Amz-Target} of SQS's JSON protocol: {@code AmazonSQS.<Operation>}. */
    private static final String SQS_TARGET_PREFIX = "AmazonSQS.";
    private static final Pattern SIGNING_SERVICE = Pattern.compile("Credential=[^/]+/\\d{8}/[^/]+/([^/]+)/aws4_request");
    /** Headers the JDK's HTTP client sets itself and refuses to be given. */
    private static final Set<String> UNFORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade");

    /** One post it received. */
    public record Post(String connectionId, String body) {
    }

    /** One IoT publish it received. */
    public record Publish(String topic, String query, String body) {
    }

    /** One SQS SendMessage it received: the queue, the body, and the string message attributes. */
    public record Queued(String queueUrl, String body, Map<String, String> attributes) {
    }

    /** One GetSecretValue request it received; {@code versionStage} and {@code versionId} are null when not sent. */
    public record SecretRequest(String secretId, String versionStage, String versionId) {
    }

    private record SecretVersion(String id, String value) {
    }

    /** The versions that carry the AWSCURRENT and AWSPREVIOUS labels; {@code previous} may be null. */
    private record SecretVersions(SecretVersion current, SecretVersion previous) {
    }

    private static final String AWSCURRENT = "AWSCURRENT";
    private static final String AWSPREVIOUS = "AWSPREVIOUS";

    private final HttpServer server;
    private final long started = System.currentTimeMillis();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final List<Publish> publishes = new CopyOnWriteArrayList<>();
    private final List<Queued> queued = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final List<Answer> nextAnswers = new CopyOnWriteArrayList<>();
    private final AtomicInteger verified = new AtomicInteger();
    private final Map<String, AtomicInteger> verifiedByService = new ConcurrentHashMap<>();
    private final List<SecretRequest> secretRequests = new CopyOnWriteArrayList<>();
    private volatile Duration delay = Duration.ZERO;
    private volatile SecretVersions secret;
    private volatile SigV4Check signer;
    private volatile String sessionToken;
    private volatile URI dynamoDb;
    private volatile HttpClient forwarder;
    private volatile List<String> lastSignedHeaders = List.of();

    /** A canned answer for the next {@code @connections} post, in place of the normal one. */
    private record Answer(int status, String errorType) {
    }

    public CloudStandIn() throws IOException {
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

    /** The Secrets Manager endpoint a client is given: the same server. */
    public URI secretsManagerEndpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void markGone(String connectionId) {
        gone.add(connectionId);
    }

    /**
     * Also answer Secrets Manager's GetSecretValue (JSON 1.1 on {@code POST /}) with this secret string,
     * as the secret's only version: AWSCURRENT, and no AWSPREVIOUS.
     */
    public void serveSecret(String secretString) {
        serveSecretVersions(secretString, null);
    }

    /** Serve these two versions of the secret; {@code previous} null for a secret that has no AWSPREVIOUS. */
    public void serveSecretVersions(String current, String previous) {
        this.secret = new SecretVersions(version(current), previous == null ? null : version(previous));
    }

    /**
     * A new AWSCURRENT version, as PutSecretValue without VersionStages makes one: the version that
     * was current becomes AWSPREVIOUS, and the one that was AWSPREVIOUS loses its label.
     */
    public synchronized void rotateSecret(String newValue) {
        SecretVersions now = secret;
        if (now == null) {
            throw new IllegalStateException("no secret is served yet: serveSecret first");
        }
        this.secret = new SecretVersions(version(newValue), now.current());
    }

    /** The GetSecretValue requests received, in order. */
    public List<SecretRequest> secretRequests() {
        return List.copyOf(secretRequests);
    }

    /**
     * Check every request's SigV4 signature against this key pair from now on. With session
     * credentials the request must also carry their session token; with a plain key pair, a session
     * token the caller sends is taken as signed and not checked.
     */
    public void verifySignatures(AwsCredentialsIdentity credentials) {
        this.sessionToken = credentials instanceof AwsSessionCredentialsIdentity session ? session.sessionToken() : null;
        this.signer = new SigV4Check(credentials.accessKeyId(), credentials.secretAccessKey(), Clock.systemUTC());
    }

    /**
     * Also serve DynamoDB's JSON protocol ({@code X-Amz-Target: DynamoDB_20120810.*}) by passing each
     * request, once its signature is checked, to the store at {@code store}; give handlers
     * {@link #iotDataEndpoint()} as their DynamoDB endpoint.
     */
    public void forwardDynamoDbTo(URI store) {
        this.forwarder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
        this.dynamoDb = store;
    }

    /** The headers the last correctly signed request listed as signed. */
    public List<String> lastSignedHeaders() {
        return lastSignedHeaders;
    }

    /** Requests whose signature was checked and found right. */
    public int verifiedSignatures() {
        return verified.get();
    }

    /**
     * Correctly signed requests by the service named in their credential scope ({@code dynamodb},
     * {@code execute-api}, {@code iotdata}, {@code secretsmanager}).
     */
    public int verifiedSignatures(String service) {
        AtomicInteger count = verifiedByService.get(service);
        return count == null ? 0 : count.get();
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
        verifiedByService.clear();
        secretRequests.clear();
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
            SigV4Check check = signer;
            String token = sessionToken;
            if (check != null && token != null && !token.equals(exchange.getRequestHeaders().getFirst("X-Amz-Security-Token"))) {
                exchange.getResponseHeaders().add("x-amzn-ErrorType", "UnrecognizedClientException");
                JsonResponses.respond(exchange, 403, "{\"message\":\"The security token included in the request is invalid.\"}");
                return;
            }
            if (check != null && !signatureMatches(exchange, bytes, check)) {
                exchange.getResponseHeaders().add("x-amzn-ErrorType", "InvalidSignatureException");
                JsonResponses.respond(exchange, 403, "{\"message\":\"" + ConnectionsApi.SIGNATURE_MISMATCH + "\"}");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            Optional<String> connectionId = ConnectionsApi.connectionId(path);
            if (connectionId.isPresent()) {
                Answer canned = nextAnswers.isEmpty() ? null : nextAnswers.removeFirst();
                ConnectionsApi.Reply reply = canned != null
                        ? new ConnectionsApi.Reply(canned.status(), canned.errorType(), "{\"message\":\"" + canned.errorType() + "\"}")
                        : ConnectionsApi.serve(exchange.getRequestMethod(), connectionId.get(), bytes, this::connection).join();
                if (reply.errorType() != null) {
                    exchange.getResponseHeaders().add("x-amzn-ErrorType", reply.errorType());
                }
                JsonResponses.respond(exchange, reply.status(), reply.body());
            } else if ("POST".equals(exchange.getRequestMethod()) && path.startsWith("/topics/")) {
                String topic = URLDecoder.decode(path.substring("/topics/".length()), StandardCharsets.UTF_8);
                publishes.add(new Publish(topic, exchange.getRequestURI().getQuery(), body));
                JsonResponses.respond(exchange, 200, "{\"message\":\"OK\",\"traceId\":\"local\"}");
            } else if (dynamoDb != null && target != null && target.startsWith("DynamoDB_20120810.")) {
                forwardToDynamoDb(exchange, bytes);
            } else if (target != null && target.startsWith(SQS_TARGET_PREFIX)) {
                answerSqs(exchange, target.substring(SQS_TARGET_PREFIX.length()), body);
            } else if (secret != null && "secretsmanager.GetSecretValue".equals(target)) {
                answerGetSecretValue(exchange, body);
            } else {
                JsonResponses.respond(exchange, 404, "{\"message\":\"Not Found\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** A connection the stand-in knows, unless marked gone: it records what it is sent. */
    private Optional<ConnectionsApi.Connection> connection(String id) {
        if (gone.contains(id)) {
            return Optional.empty();
        }
        return Optional.of(new ConnectionsApi.Connection() {
            @Override
            public CompletableFuture<Boolean> send(String data) {
                posts.add(new Post(id, data));
                return CompletableFuture.completedFuture(true);
            }

            @Override
            public void close() {
                gone.add(id);
            }

            @Override
            public long connectedAt() {
                return started;
            }

            @Override
            public long lastActiveAt() {
                return started;
            }

            @Override
            public String sourceIp() {
                return "127.0.0.1";
            }

            @Override
            public String userAgent() {
                return "stand-in";
            }
        });
    }

    /**
     * SQS in its JSON protocol, as far as the functions use it: SendMessage is recorded and answered
     * with the checksums the SDK verifies; the queue is always empty to ReceiveMessage; every
     * DeleteMessageBatch entry succeeds.
     */
    private void answerSqs(HttpExchange exchange, String operation, String body) throws IOException {
        JsonNode request = JSON.readTree(body);
        switch (operation) {
            case "SendMessage" -> {
                Map<String, String> attributes = new java.util.TreeMap<>();
                request.path("MessageAttributes").properties().forEach(e ->
                        attributes.put(e.getKey(), e.getValue().path("StringValue").asText()));
                String messageBody = request.path("MessageBody").asText();
                queued.add(new Queued(request.path("QueueUrl").asText(), messageBody, attributes));
                Map<String, Object> answer = new HashMap<>();
                answer.put("MessageId", UUID.randomUUID().toString());
                answer.put("MD5OfMessageBody", SqsChecksums.md5OfBody(messageBody));
                if (!attributes.isEmpty()) {
                    answer.put("MD5OfMessageAttributes", SqsChecksums.md5OfStringAttributes(attributes));
                }
                JsonResponses.respond(exchange, 200, JSON.writeValueAsString(answer));
            }
            case "ReceiveMessage" -> JsonResponses.respond(exchange, 200, "{\"Messages\":[]}");
            case "DeleteMessageBatch" -> {
                List<Map<String, String>> done = new ArrayList<>();
                request.path("Entries").forEach(entry -> done.add(Map.of("Id", entry.path("Id").asText())));
                JsonResponses.respond(exchange, 200, JSON.writeValueAsString(Map.of("Successful", done, "Failed", List.of())));
            }
            default -> JsonResponses.respond(exchange, 400, "{\"__type\":\"com.amazonaws.sqs#UnsupportedOperation\","
                    + "\"message\":\"" + operation + " is not served here\"}");
        }
    }

    /** The SQS messages sent to it, in order. */
    public List<Queued> queued() {
        return List.copyOf(queued);
    }

    private void answerGetSecretValue(HttpExchange exchange, String body) throws IOException {
        JsonNode request = JSON.readTree(body);
        String arn = request.path("SecretId").asText();
        String stage = request.hasNonNull("VersionStage") ? request.get("VersionStage").asText() : null;
        String versionId = request.hasNonNull("VersionId") ? request.get("VersionId").asText() : null;
        secretRequests.add(new SecretRequest(arn, stage, versionId));
        SecretVersions versions = secret;
        Map<String, SecretVersion> byStage = new HashMap<>();
        byStage.put(AWSCURRENT, versions.current());
        if (versions.previous() != null) {
            byStage.put(AWSPREVIOUS, versions.previous());
        }
        // Without VersionStage or VersionId the service answers AWSCURRENT; with both they must name one version.
        String label = stage == null && versionId == null ? AWSCURRENT : stage;
        SecretVersion found = label != null ? byStage.get(label)
                : byStage.values().stream().filter(v -> v.id().equals(versionId)).findFirst().orElse(null);
        if (found == null || (versionId != null && !found.id().equals(versionId))) {
            String what = label != null ? "staging label: " + label : "VersionId: " + versionId;
            JsonResponses.respond(exchange, 400, JSON.writeValueAsString(Map.of("__type", "ResourceNotFoundException",
                    "Message", "Secrets Manager can't find the specified secret value for " + what)));
            return;
        }
        List<String> labels = byStage.entrySet().stream().filter(e -> e.getValue() == found).map(Map.Entry::getKey).toList();
        JsonResponses.respond(exchange, 200, JSON.writeValueAsString(Map.of("ARN", arn, "Name", arn.substring(arn.lastIndexOf(':') + 1),
                "VersionId", found.id(), "SecretString", found.value(), "VersionStages", labels)));
    }

    private static SecretVersion version(String value) {
        return new SecretVersion(UUID.randomUUID().toString(), Objects.requireNonNull(value, "value"));
    }

    private boolean signatureMatches(HttpExchange exchange, byte[] body, SigV4Check check) {
        var headers = exchange.getRequestHeaders();
        SigV4Check.Verdict verdict = check.check(new SigV4Check.Received(exchange.getRequestMethod(), "http",
                headers.getFirst("Host"), exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                headers::getFirst, body));
        if (verdict == SigV4Check.Verdict.VALID) {
            String authorization = headers.getFirst("Authorization");
            int from = authorization.indexOf("SignedHeaders=") + "SignedHeaders=".length();
            lastSignedHeaders = List.of(authorization.substring(from, authorization.indexOf(',', from)).split(";"));
            verified.incrementAndGet();
            Matcher service = SIGNING_SERVICE.matcher(authorization);
            if (service.find()) {
                verifiedByService.computeIfAbsent(service.group(1), k -> new AtomicInteger()).incrementAndGet();
            }
        }
        return verdict == SigV4Check.Verdict.VALID;
    }

    private void forwardToDynamoDb(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(dynamoDb.resolve("/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!UNFORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> answer = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        for (String name : List.of("Content-Type", "x-amzn-RequestId", "x-amz-crc32")) {
            answer.headers().firstValue(name).ifPresent(value -> exchange.getResponseHeaders().add(name, value));
        }
        byte[] bytes = answer.body();
        exchange.sendResponseHeaders(answer.statusCode(), bytes.length == 0 ? -1 : bytes.length);
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
        if (forwarder != null) {
            forwarder.close();
        }
        executor.close();
    }
}
