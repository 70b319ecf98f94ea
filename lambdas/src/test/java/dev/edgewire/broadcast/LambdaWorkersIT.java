package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.lambda.LambdaContext;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/** Worker invocations as Lambda's Invoke API receives and answers them: synchronous, signed, the function's answer back. */
class LambdaWorkersIT {

    private static final String FAN_OUT = "arn:aws:lambda:eu-west-1:123456789012:function:edgewire-FanOut:live";
    private static final ShardEvent SHARD = new ShardEvent(List.of("{\"type\":\"batch\",\"items\":[]}"), List.of("a=", "b"));

    private record Invocation(String rawPath, String invocationType, String body, SigV4Check.Verdict signature) {
    }

    private final List<Invocation> invocations = new CopyOnWriteArrayList<>();
    private final AtomicInteger throttleFirst = new AtomicInteger();
    private final AtomicReference<String> functionError = new AtomicReference<>();
    private final AtomicReference<String> answer = new AtomicReference<>(
            "{\"delivered\":2,\"goneConnectionIds\":[\"b\"],\"handedOver\":0}");
    private final SigV4Check signatures = new SigV4Check("AKIDLOCAL", "local-secret", Clock.systemUTC());
    private HttpServer lambda;
    private LambdaWorkers workers;

    @BeforeEach
    void start() throws IOException {
        lambda = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        lambda.createContext("/", exchange -> {
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
                if (functionError.get() != null) {
                    exchange.getResponseHeaders().add("X-Amz-Function-Error", functionError.get());
                }
                byte[] out = answer.get().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(verdict == SigV4Check.Verdict.VALID ? 200 : 403, out.length);
                try (OutputStream stream = exchange.getResponseBody()) {
                    stream.write(out);
                }
            }
            exchange.close();
        });
        lambda.start();
        workers = new LambdaWorkers(UrlConnectionHttpClient.create(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCAL", "local-secret")),
                Region.EU_WEST_1, URI.create("http://127.0.0.1:" + lambda.getAddress().getPort()), FAN_OUT);
    }

    @AfterEach
    void stop() {
        lambda.stop(0);
    }

    @Test
    void deliver_invokesTheFunctionSynchronously_signed_withTheShard_andReturnsItsAnswer() throws Exception {
        ShardOutcome outcome = workers.deliver(SHARD, new LambdaContext());

        assertThat(outcome).isEqualTo(new ShardOutcome(2, List.of("b"), 0));
        assertThat(invocations).singleElement().satisfies(invocation -> {
            assertThat(invocation.rawPath()).isEqualTo("/2015-03-31/functions/"
                    + "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aedgewire-FanOut%3Alive/invocations");
            // No invocation type: RequestResponse, Lambda's default.
            assertThat(invocation.invocationType()).isNull();
            assertThat(invocation.signature()).isEqualTo(SigV4Check.Verdict.VALID);
            assertThat(Json.MAPPER.readTree(invocation.body())).isEqualTo(Json.MAPPER.readTree(Json.write(SHARD.toEvent())));
        });
    }

    @Test
    void aThrottledInvoke_isRetried_asTheSdkWould() {
        throttleFirst.set(1);

        assertThat(workers.deliver(SHARD, new LambdaContext()).delivered()).isEqualTo(2);
        assertThat(invocations).hasSize(1);
    }

    @Test
    void aFunctionError_failsTheShard_withoutInvokingAgain() {
        functionError.set("Unhandled");
        answer.set("{\"errorMessage\":\"Task timed out after 30.00 seconds\"}");

        assertThatThrownBy(() -> workers.deliver(SHARD, new LambdaContext()))
                .hasMessageContaining("Unhandled").hasMessageContaining("Task timed out");
        assertThat(invocations).hasSize(1);
    }

    @Test
    void anAnswerThatIsNoShardOutcome_failsTheShard() {
        answer.set("null");

        assertThatThrownBy(() -> workers.deliver(SHARD, new LambdaContext())).hasMessageContaining("not a shard outcome");
    }
}
