package dev.edgewire.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.contract.Topology.Function;
import dev.edgewire.local.cost.CostMeter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncInvocationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY = Duration.ofMillis(20);

    private final List<String> requestIds = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> kept = new CopyOnWriteArrayList<>();
    private final List<Integer> refused = new CopyOnWriteArrayList<>();

    @Test
    void anEventThatFailsEveryAttempt_isTriedThreeTimesWithOneRequestId_thenKeptAsItsInvocationRecord() {
        try (AsyncInvocations invocations = invocations(1, 10, (event, context) -> {
            requestIds.add(context.getAwsRequestId());
            throw new IllegalStateException("table unreachable");
        })) {
            invocations.invoke("test", Function.FAN_OUT, event(7), "req-7", refused::add);

            await().atMost(Duration.ofSeconds(5)).until(() -> kept.size() == 1);
            assertThat(requestIds).containsExactly("req-7", "req-7", "req-7");
            ObjectNode record = kept.getFirst();
            assertThat(record.path("requestContext").path("requestId").asText()).isEqualTo("req-7");
            assertThat(record.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(3);
            assertThat(record.path("requestPayload")).isEqualTo(event(7));
            assertThat(record.path("responsePayload").path("errorMessage").asText()).isEqualTo("table unreachable");
            assertThat(refused).isEmpty();
        }
    }

    @Test
    void anEventThatSucceedsOnARetry_isNotKept() {
        AtomicInteger attempts = new AtomicInteger();
        try (AsyncInvocations invocations = invocations(1, 10, (event, context) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("once");
            }
            return null;
        })) {
            invocations.invoke("test", Function.FAN_OUT, event(1), "req-1", refused::add);

            await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() == 2);
        }
        assertThat(attempts).hasValue(2);
        assertThat(kept).isEmpty();
    }

    @Test
    void aFullQueue_refusesTheEventAtOnce_andInvokeSaysTooManyRequests() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        try (AsyncInvocations invocations = invocations(1, 1, (event, context) -> {
            running.countDown();
            waitFor(release);
            return null;
        })) {
            invocations.invoke("running", Function.FAN_OUT, event(1), "req-1", refused::add);
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
            invocations.invoke("queued", Function.FAN_OUT, event(2), "req-2", refused::add);
            invocations.invoke("refused", Function.FAN_OUT, event(3), "req-3", refused::add);

            assertThat(refused).containsExactly(1);
            assertThatThrownBy(() -> invocations.invokeEvent("refused", Function.FAN_OUT, event(4), "req-4"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("TooManyRequestsException: Lambda's asynchronous queue refused the invocation: "
                            + "1 events waiting");
            release.countDown();
        }
        assertThat(kept).isEmpty();
    }

    private AsyncInvocations invocations(int concurrency, int queueLength, RequestHandler<Object, Object> handler) {
        return new AsyncInvocations(new LocalLambdas(Map.of(Function.FAN_OUT, handler), new CostMeter()), JSON, concurrency,
                queueLength, RETRY, "failed-invocations", kept::add);
    }

    private static ObjectNode event(int seq) {
        return JSON.createObjectNode().put("deviceId", "thing-1").put("seq", seq);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
