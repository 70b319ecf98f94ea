package dev.edgewire.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.standins.lambda.LambdaContext;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LoggingTest {

    @Test
    void everyLineOfAnInvocation_carriesItsRequestId_andNoLineAfterIt() {
        Map<String, String> during = Logging.withContext(new LambdaContext("req-1", "edgewire-Connect"), MDC::getCopyOfContextMap);

        assertThat(during).containsEntry("function_request_id", "req-1")
                .containsEntry("function_name", "edgewire-Connect")
                .containsEntry("function_memory_size", "512")
                .containsKey("cold_start");
        assertThat(MDC.get("function_request_id")).isNull();
    }

    @Test
    void withoutALambdaContext_theInvocationStillRuns() {
        assertThat(Logging.withContext(null, () -> "ran")).isEqualTo("ran");
    }
}
