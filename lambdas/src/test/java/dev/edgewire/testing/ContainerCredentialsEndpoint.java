package dev.edgewire.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.cloud.JsonResponses;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The container credentials endpoint a Lambda function gets under SnapStart: the execution role's
 * temporary credentials, fetched from {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with the header
 * {@code Authorization: <AWS_CONTAINER_AUTHORIZATION_TOKEN>}, instead of {@code AWS_ACCESS_KEY_ID}
 * and friends in the environment (AWS Lambda Developer Guide, "Activating and managing Lambda
 * SnapStart", credentials section; AWS SDKs and Tools Reference Guide, "Container credential
 * provider").
 *
 * <p>Each instance makes up its own authorization token. A {@code GET}
 * with the right token gets {@code {"AccessKeyId","SecretAccessKey","Token","Expiration"}}; a missing
 * token gets 401 and a wrong one 403. It counts both.
 */
public final class ContainerCredentialsEndpoint implements AutoCloseable {

    static final String PATH = "/credentials";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final String authorizationToken = random(32);
    private final AwsSessionCredentials credentials;
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    /** @param credentials what it hands out, for example {@link #newRoleSession()} */
    public ContainerCredentialsEndpoint(AwsSessionCredentials credentials) throws IOException {
        this.credentials = credentials;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext(PATH, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Made-up temporary credentials of a role session, as Lambda gets them for the execution role:
     * an {@code ASIA} access key id, a secret key and a session token, different every time.
     */
    public static AwsSessionCredentials newRoleSession() {
        return AwsSessionCredentials.create("ASIA" + random(8).toUpperCase(Locale.ROOT), random(20), random(64));
    }

    /** The two variables Lambda sets for the SDK's container credentials provider. */
    public Map<String, String> environment() {
        return Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:" + server.getAddress().getPort() + PATH,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", authorizationToken);
    }

    /** What the endpoint hands out; a stand-in that checks signatures should accept exactly these. */
    public AwsSessionCredentials credentials() {
        return credentials;
    }

    /** Requests answered with the credentials (the right token). */
    public int served() {
        return served.get();
    }

    /** Requests refused for a missing or wrong token. */
    public int refused() {
        return refused.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (!"GET".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())) {
                JsonResponses.respond(exchange, 404, Json.write(Map.of("message", "Not Found")));
            } else if (authorization == null) {
                refused.incrementAndGet();
                JsonResponses.respond(exchange, 401, Json.write(Map.of("message", "missing Authorization header")));
            } else if (!authorization.equals(authorizationToken)) {
                refused.incrementAndGet();
                JsonResponses.respond(exchange, 403, Json.write(Map.of("message", "wrong authorization token")));
            } else {
                served.incrementAndGet();
                // Like the role's session: hours ahead, so the SDK caches it and does not refresh mid-test.
                Instant expiration = Instant.now().plus(Duration.ofHours(6)).truncatedTo(ChronoUnit.SECONDS);
                JsonResponses.respond(exchange, 200, Json.write(Map.of(
                        "AccessKeyId", credentials.accessKeyId(),
                        "SecretAccessKey", credentials.secretAccessKey(),
                        "Token", credentials.sessionToken(),
                        "Expiration", expiration.toString())));
            }
        }
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
