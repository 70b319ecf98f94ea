package dev.edgewire.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import dev.edgewire.device.command.DurationConverter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine commandLine = EdgewireDevice.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void everyCommand_hasHelp_showingDefaults() {
        for (String command : new String[] {"publish", "subscribe", "simulate", "ws", "keys", "keys create", "keys fetch-certificate"}) {
            String[] args = (command + " --help").split(" ");
            Result result = run(args);
            assertThat(result.exitCode()).as(command).isZero();
            assertThat(result.out()).as(command).contains("Usage: edgewire-device " + command);
        }
        assertThat(run("simulate", "--help").out()).contains("(default: 1)").contains("(default: mqtt)");
    }

    @Test
    void anUnknownOption_isAUsageError() {
        Result result = run("publish", "--frobnicate");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Unknown option: '--frobnicate'");
    }

    @Test
    void qos2_isRefused_becauseIotCoreHasNoQos2() {
        Result result = run("publish", "--endpoint", "localhost", "--qos", "2", "--message", "x");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--qos must be 0 or 1");
    }

    @Test
    void messageAndFile_areMutuallyExclusive() {
        Result result = run("publish", "--message", "x", "--file", "y");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("mutually exclusive");
    }

    @Test
    void aRateAboveIotCoresLimit_isRefusedForAwsTargets_withAHint() {
        Result result = run("simulate", "--endpoint", "abc-ats.iot.us-east-1.amazonaws.com", "--rate", "150");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("over AWS IoT Core's limit of 100 publishes per second per connection")
                .contains("more --devices");
    }

    @Test
    void aMissingClientCertificate_isNamedBeforeAnyConnection() {
        Result result = run("publish", "--endpoint", "localhost", "--message", "x");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("No client certificate").contains("--cert").contains("--key");
    }

    @Test
    void durations_readAsPeopleTypeThem() {
        DurationConverter converter = new DurationConverter();
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(converter.convert("PT2H")).isEqualTo(Duration.ofHours(2));
        Result result = run("simulate", "--duration", "soon");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'soon' is not a duration");
    }

    @Test
    void wsWithoutAUrl_saysWhereTheUrlComesFrom() {
        Result result = run("ws");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--ws-url").contains("EDGEWIRE_WEBSOCKET_URL").contains("WebSocketUrl");
    }
}
