package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.runtime.Json;
import dev.edgewire.standins.lambda.LambdaContext;
import dev.edgewire.standins.sigv4.SigV4Check;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/** Worker invocations as Lambda's Invoke API receives and answers them: synchronous, signed, the function's answer back. */
class LambdaWorkersIT {

    private static final String FAN_OUT = "arn:aws:lambda:eu-west-1:123456789012:function:edgewire-FanOut:live";
    private static final ShardEvent SHARD = new ShardEvent(List.of("{\"type\":\"batch\",\"items\":[]}"), List.of("a=", "b"));

    private InvokeApiStandIn lambda;
    private LambdaWorkers workers;

    @BeforeEach
    void start() throws IOException {
        lambda = new InvokeApiStandIn(200);
        lambda.answer = "{\"delivered\":2,\"goneConnectionIds\":[\"b\"],\"handedOver\":0}";
        workers = new LambdaWorkers(UrlConnectionHttpClient.create(), InvokeApiStandIn.CREDENTIALS,
                Region.EU_WEST_1, lambda.endpoint(), FAN_OUT);
    }

    @AfterEach
    void stop() {
        lambda.close();
    }

    @Test
    void deliver_invokesTheFunctionSynchronously_signed_withTheShard_andReturnsItsAnswer() throws Exception {
        ShardOutcome outcome = workers.deliver(SHARD, new LambdaContext());

        assertThat(outcome).isEqualTo(new ShardOutcome(2, List.of("b"), 0));
        assertThat(lambda.invocations).singleElement().satisfies(invocation -> {
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
        lambda.throttleFirst.set(1);

        assertThat(workers.deliver(SHARD, new LambdaContext()).delivered()).isEqualTo(2);
        assertThat(lambda.invocations).hasSize(1);
    }

    @Test
    void aFunctionError_failsTheShard_withoutInvokingAgain() {
        lambda.functionError = "Unhandled";
        lambda.answer = "{\"errorMessage\":\"Task timed out after 30.00 seconds\"}";

        assertThatThrownBy(() -> workers.deliver(SHARD, new LambdaContext()))
                .hasMessageContaining("Unhandled").hasMessageContaining("Task timed out");
        assertThat(lambda.invocations).hasSize(1);
    }

    @Test
    void anAnswerThatIsNoShardOutcome_failsTheShard() {
        lambda.answer = "null";

        assertThatThrownBy(() -> workers.deliver(SHARD, new LambdaContext())).hasMessageContaining("not a shard outcome");
    }
}
