package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.standins.sigv4.SigV4Check;
import dev.edgewire.runtime.Json;
import dev.edgewire.standins.lambda.LambdaContext;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/** Continuations as Lambda's Invoke API receives them: path, invocation type, body and signature. */
class LambdaContinuationIT {

    private static final String FAN_OUT = "arn:aws:lambda:eu-west-1:123456789012:function:edgewire-FanOut:live";

    private InvokeApiStandIn lambda;
    private LambdaContinuation continuation;

    @BeforeEach
    void start() throws IOException {
        lambda = new InvokeApiStandIn(202);
        continuation = continuation(FAN_OUT);
    }

    @AfterEach
    void stop() {
        lambda.close();
    }

    private LambdaContinuation continuation(String target) {
        return new LambdaContinuation(UrlConnectionHttpClient.create(), InvokeApiStandIn.CREDENTIALS,
                Region.EU_WEST_1, lambda.endpoint(), target);
    }

    @Test
    void handOver_invokesTheFunctionAsynchronously_signed_withTheContinuationEvent() throws Exception {
        continuation.handOver("{\"type\":\"message\"}", List.of("a=", "b"), 2, new LambdaContext());

        assertThat(lambda.invocations).singleElement().satisfies(invocation -> {
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

        assertThat(lambda.invocations).singleElement().extracting(InvokeApiStandIn.Invocation::rawPath).asString()
                .contains("function%3Aedgewire-test/invocations");
    }

    @Test
    void handOver_retriesAThrottledInvoke_asTheSdkWould() {
        lambda.throttleFirst.set(1);

        continuation.handOver("{}", List.of("a"), 1, new LambdaContext());

        assertThat(lambda.invocations).hasSize(1);
    }

    @Test
    void handOver_failsWithLambdasError_whenEveryAttemptIsThrottled() {
        lambda.throttleFirst.set(100);

        assertThatThrownBy(() -> continuation.handOver("{}", List.of("a"), 1, new LambdaContext()))
                .isInstanceOf(AwsServiceException.class)
                .satisfies(e -> assertThat(((AwsServiceException) e).awsErrorDetails().errorCode())
                        .isEqualTo("TooManyRequestsException"));
        assertThat(lambda.invocations).isEmpty();
    }
}
