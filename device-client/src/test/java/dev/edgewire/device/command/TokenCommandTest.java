package dev.edgewire.device.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Tokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenCommandTest {

    private static final String KEY = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8c9D0e1F2";

    @TempDir
    Path dir;

    @Test
    void token_isSignedWithTheSecretsValue_ignoringTheNewlineAShellRedirectAdds() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY + "\n");
        StringWriter out = new StringWriter();

        int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out))
                .execute("--key-file", keyFile.toString(), "--subject", "alice", "--ttl", "2h");

        assertThat(exit).isZero();
        var verification = Tokens.verify(KEY.getBytes(StandardCharsets.UTF_8), out.toString().strip(), Clock.systemUTC());
        assertThat(verification.valid()).isTrue();
        assertThat(verification.subject()).isEqualTo("alice");
        assertThat(verification.expiresAt()).isBetween(Instant.now().plus(Duration.ofMinutes(119)),
                Instant.now().plus(Duration.ofMinutes(121)));
    }

    @Test
    void aTtlLongerThanTheAuthorizerAccepts_isAUsageError_andPrintsNoToken() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--key-file", keyFile.toString(), "--ttl", "169h");

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("--ttl 169h").contains("at most 168h (7 days)");
    }

    @Test
    void aTtlOfSevenDays_isTheLongestMinted() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY);
        StringWriter out = new StringWriter();

        int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out))
                .execute("--key-file", keyFile.toString(), "--ttl", "168h");

        assertThat(exit).isZero();
        assertThat(Tokens.verify(KEY.getBytes(StandardCharsets.UTF_8), out.toString().strip(), Clock.systemUTC()).valid()).isTrue();
    }

    @Test
    void aKeyShorterThanTokensNeed_isAUsageError_andPrintsNoToken() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), "short");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--key-file", keyFile.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("at least 32");
    }
}
