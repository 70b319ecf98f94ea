package dev.edgewire.device.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.transport.NotAcknowledgedException;
import dev.edgewire.device.transport.NotAuthorizedException;
import dev.edgewire.device.transport.PublishRefusedException;
import dev.edgewire.device.transport.SubscribeRefusedException;
import dev.edgewire.device.transport.TransportInterruptedException;
import dev.edgewire.device.transport.UnreachableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CommandFailuresTest {

    @Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        private final RuntimeException failure;

        Failing(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() {
            throw failure;
        }
    }

    private record Result(int exitCode, String err) {
    }

    private static Result run(RuntimeException failure) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Failing(failure));
        commandLine.setExecutionExceptionHandler(new CommandFailures());
        commandLine.setErr(new PrintWriter(err, true));
        return new Result(commandLine.execute(), err.toString());
    }

    static Stream<Arguments> failuresAndExitCodes() {
        return Stream.of(
                Arguments.of(new UnreachableException("Nothing answers at MQTT localhost:1", null), ExitCodes.UNREACHABLE),
                Arguments.of(new NotAuthorizedException("the server rejected the client certificate", null), ExitCodes.UNREACHABLE),
                Arguments.of(new NotAcknowledgedException("No acknowledgement within 30 s", null), ExitCodes.UNREACHABLE),
                Arguments.of(new TransportInterruptedException("Interrupted while connecting", new InterruptedException()),
                        ExitCodes.UNREACHABLE),
                Arguments.of(new PublishRefusedException("HTTPS 403 from /topics/x: Forbidden"), ExitCodes.REFUSED),
                Arguments.of(new SubscribeRefusedException("the broker refused the subscription to x: NOT_AUTHORIZED"),
                        ExitCodes.REFUSED),
                Arguments.of(DeviceException.usage("--qos must be 0 or 1"), ExitCodes.USAGE));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("failuresAndExitCodes")
    void aKnownFailure_endsWithItsExitCode_andOneLineWithItsMessage(RuntimeException failure, int exitCode) {
        Result result = run(failure);

        assertThat(result.exitCode()).isEqualTo(exitCode);
        assertThat(result.err()).isEqualTo("edgewire-device: " + failure.getMessage() + System.lineSeparator());
    }

    @Test
    void anUnexpectedFailure_endsWithExitCode1_andItsStackTrace() {
        Result result = run(new IllegalStateException("a bug"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).startsWith("edgewire-device: unexpected failure: java.lang.IllegalStateException: a bug")
                .contains("\tat ");
    }
}
