package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.edgewire.standins.sigv4.SigV4Check;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.lambda.LambdaContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/** Continuations as Lambda's Invoke API receives them: path, invocation type, body and signature. */
class LambdaContinuationIT {

    private static final String FAN_OUT = "arn:aws:lambda:eu-west-1:123456789012:function:edgewire-FanOut:live";

    private record Invocation(String rawPath, String invocationType, String body, SigV4Check.Verdict signature) {
    }

    private final List<Invocation> invocations = new CopyOnWriteArrayList<>();
    private final AtomicInteger throttleFirst = new AtomicInteger();
    private final SigV4Check signatures = new SigV4Check("AKIDLOCAL", "local-secret", Clock.systemUTC());
    private HttpServer lambda;
    private LambdaContinuation continuation;

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
                invocations.add(new Invocation(uri.getRawPath(),
                        exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"), new String(body), verdict));
                exchange.sendResponseHeaders(verdict == SigV4Check.Verdict.VALID ? 202 : 403, -1);
            }
            exchange.close();
        });
        lambda.start();
        continuation = continuation(FAN_OUT);
    }

    @AfterEach
    void stop() {
        lambda.stop(0);
    }

    private LambdaContinuation continuation(String target) {
        return new LambdaContinuation(UrlConnectionHttpClient.create(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCAL", "local-secret")),
                Region.EU_WEST_1, URI.create("http://127.0.0.1:" + lambda.getAddress().getPort()), target);
    }

    @Test
    void handOver_invokesTheFunctionAsynchronously_signed_withTheContinuationEvent() throws Exception {
        continuation.handOver("{\"type\":\"message\"}", List.of("a=", "b"), 2, new LambdaContext());

        assertThat(invocations).singleElement().satisfies(invocation -> {
            assertThat(invocation.rawPath()).isEqualTo("/2015-03-31/functions/"
                    + "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aedgewire-FanOut%3Alive/invocations");
            assertThat(invocation.invocationType()).isEqualTo("Event");
            assertThat(invocation.signature()).isEqualTo(SigV4Check.Verdict.VALID);
            assertThat(Json.MAPPER.readTree(invocation.body())).isEqualTo(Json.MAPPER.readTree(
                    "{\"continuation\":{\"payload\":\"{\\\"type\\\":\\\"message\\\"}\",\"connectionIds\":[\"a=\",\"b\"],\"attempt\":2}}"));
        });
    }

    @Test
    void handOver_withoutAConfiguredFunction_continuesInTheInvokingOne() {
        continuation(null).handOver("{}", List.of("a"), 1, new LambdaContext());

        assertThat(invocations).singleElement().extracting(Invocation::rawPath).asString()
                .contains("function%3Aedgewire-test/invocations");
    }

    @Test
    void handOver_retriesAThrottledInvoke_asTheSdkWould() {
        throttleFirst.set(1);

        continuation.handOver("{}", List.of("a"), 1, new LambdaContext());

        assertThat(invocations).hasSize(1);
    }

    @Test
    void handOver_failsWithLambdasError_whenEveryAttemptIsThrottled() {
        throttleFirst.set(100);

        assertThatThrownBy(() -> continuation.handOver("{}", List.of("a"), 1, new LambdaContext()))
                .isInstanceOf(AwsServiceException.class)
                .satisfies(e -> assertThat(((AwsServiceException) e).awsErrorDetails().errorCode())
                        .isEqualTo("TooManyRequestsException"));
        assertThat(invocations).isEmpty();
    }
}
