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
                .execute("--key-file", keyFile.toString(), "--subject", "alice", "--all-devices", "--ttl", "2h");

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
                .execute("--key-file", keyFile.toString(), "--all-devices", "--ttl", "169h");

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("--ttl 169h").contains("at most 168h (7 days)");
    }

    @Test
    void aTtlOfSevenDays_isTheLongestMinted() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY);
        StringWriter out = new StringWriter();

        int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out))
                .execute("--key-file", keyFile.toString(), "--watch-only", "--ttl", "168h");

        assertThat(exit).isZero();
        assertThat(Tokens.verify(KEY.getBytes(StandardCharsets.UTF_8), out.toString().strip(), Clock.systemUTC()).valid()).isTrue();
    }

    @Test
    void aKeyShorterThanTokensNeed_isAUsageError_andPrintsNoToken() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), "short");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--key-file", keyFile.toString(), "--all-devices");

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("at least 32");
    }

    @Test
    void token_carriesTheGrantItWasMintedWith() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY);

        assertThat(grantOf(keyFile, "--devices", "thing-2,thing-1")).isEqualTo(Tokens.Grant.devices(java.util.List.of("thing-1", "thing-2")));
        assertThat(grantOf(keyFile, "--devices", "thing-1", "--devices", "thing-3").text()).isEqualTo("thing-1,thing-3");
        assertThat(grantOf(keyFile, "--all-devices")).isEqualTo(Tokens.Grant.ALL);
        assertThat(grantOf(keyFile, "--watch-only")).isEqualTo(Tokens.Grant.NONE);
    }

    @Test
    void withoutSayingWhatItMayCommand_orSayingTwoThings_isAUsageError() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY);

        for (String[] args : java.util.List.of(new String[] {"--key-file", keyFile.toString()},
                new String[] {"--key-file", keyFile.toString(), "--all-devices", "--watch-only"},
                new String[] {"--key-file", keyFile.toString(), "--devices", "thing-1", "--all-devices"})) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
            assertThat(exit).as(String.join(" ", args)).isEqualTo(2);
            assertThat(out.toString()).isEmpty();
            assertThat(err.toString()).contains("--devices").contains("--all-devices").contains("--watch-only");
        }
    }

    @Test
    void aDeviceThatIsNotAThingName_isAUsageError() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key"), KEY);
        StringWriter err = new StringWriter();

        int exit = new CommandLine(new TokenCommand()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("--key-file", keyFile.toString(), "--devices", "thing 1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("not a thing name");
    }

    private static Tokens.Grant grantOf(Path keyFile, String... grantArgs) {
        StringWriter out = new StringWriter();
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--key-file", keyFile.toString()),
                java.util.Arrays.stream(grantArgs)).toArray(String[]::new);
        assertThat(new CommandLine(new TokenCommand()).setOut(new PrintWriter(out)).execute(args)).isZero();
        var verification = Tokens.verify(KEY.getBytes(StandardCharsets.UTF_8), out.toString().strip(), Clock.systemUTC());
        assertThat(verification.valid()).isTrue();
        return verification.grant();
    }
}
