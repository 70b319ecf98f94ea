package dev.edgewire.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The credentials a function gets when Lambda restores it from a SnapStart snapshot: none in the
 * environment, only a container-credentials endpoint that wants the authorization token. The SDK
 * reads the endpoint's settings from system properties as well as from the environment, which lets
 * this test stand in for the environment Lambda gives (this JVM has no AWS_ACCESS_KEY_ID).
 */
class LambdaCredentialsIT {

    private static final String TOKEN = "container-token-for-this-test";

    private HttpServer endpoint;
    private final AtomicInteger authorizedCalls = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpoint.createContext("/credentials", exchange -> {
            boolean authorized = TOKEN.equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (authorized
                    ? "{\"AccessKeyId\":\"ASIACONTAINER\",\"SecretAccessKey\":\"container-secret\","
                            + "\"Token\":\"container-session\",\"Expiration\":\""
                            + Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS) + "\"}"
                    : "{\"message\":\"unauthorized\"}").getBytes(StandardCharsets.UTF_8);
            if (authorized) {
                authorizedCalls.incrementAndGet();
            }
            exchange.sendResponseHeaders(authorized ? 200 : 403, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        endpoint.start();
        System.setProperty("aws.containerCredentialsFullUri",
                "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/credentials");
        System.setProperty("aws.containerAuthorizationToken", TOKEN);
    }

    @AfterEach
    void stop() {
        System.clearProperty("aws.containerCredentialsFullUri");
        System.clearProperty("aws.containerAuthorizationToken");
        endpoint.stop(0);
    }

    @Test
    void lambdaCredentials_comeFromTheContainerEndpoint_whenTheEnvironmentHasNone() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null,
                "this JVM's environment holds credentials, which the chain rightly prefers");

        AwsCredentials credentials = CloudServices.lambdaCredentials().resolveCredentials();

        assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
        assertThat(credentials.accessKeyId()).isEqualTo("ASIACONTAINER");
        assertThat(((AwsSessionCredentials) credentials).sessionToken()).isEqualTo("container-session");
        assertThat(authorizedCalls).hasValue(1);
    }
}
