package dev.edgewire.device.command;

import dev.edgewire.contract.Tokens;
import dev.edgewire.device.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Mints a WebSocket token from the stage's token key: the value of the deployed stack's token secret
 * (or local mode's {@code .local/token.key}). The key stays on this machine; the token it prints is
 * what wscat, Postman and {@code ws --token} pass as the {@code token} query parameter. Every token
 * may watch; what it may command is said once, explicitly: {@code --devices}, {@code --all-devices}
 * or {@code --watch-only} ({@link Tokens.Grant}).
 */
@Command(name = "token", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Mint a WebSocket token from the stage's token key. Every token may watch; say which devices it may "
                + "command: --devices, --all-devices or --watch-only.",
                "The key is the token secret's value (aws secretsmanager get-secret-value ... --query SecretString), "
                        + "or local mode's .local/token.key."})
public final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--key-file", required = true, paramLabel = "FILE",
            description = "File holding the key as the secret stores it; - reads standard input.")
    String keyFile;

    @Option(names = "--subject", defaultValue = "edgewire-user",
            description = "Who the token names; the authorizer passes it on (default: ${DEFAULT-VALUE}).")
    String subject;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Commands commands;

    /** What the token may send commands to: exactly one of these. */
    static final class Commands {
        @Option(names = "--devices", split = ",", paramLabel = "THING", required = true,
                description = "Command only these devices (comma-separated thing names).")
        List<String> devices;

        @Option(names = "--all-devices", required = true, description = "Command every device, also ones added later.")
        boolean allDevices;

        @Option(names = "--watch-only", required = true, description = "Command no device: readings and messages only.")
        boolean watchOnly;

        Tokens.Grant grant() {
            if (allDevices) {
                return Tokens.Grant.ALL;
            }
            return watchOnly ? Tokens.Grant.NONE : Tokens.Grant.devices(devices);
        }
    }

    @Option(names = "--ttl", defaultValue = "1h", converter = DurationConverter.class,
            description = "How long the token is valid, e.g. 30m, 12h; at most 168h (7 days), the longest the"
                    + " authorizer accepts a token for (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Override
    public Integer call() throws IOException {
        if (ttl.compareTo(Tokens.MAX_LIFETIME) > 0) {
            spec.commandLine().getErr().println("edgewire-device: --ttl " + ttl.toString().substring(2).toLowerCase(Locale.ROOT)
                    + " is longer than the authorizer accepts a token for: at most " + Tokens.MAX_LIFETIME.toHours()
                    + "h (" + Tokens.MAX_LIFETIME.toDays() + " days); mint a new one when it runs out");
            return ExitCodes.USAGE;
        }
        String text = keyFile.equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(keyFile));
        // A shell redirect adds a newline the secret does not have.
        byte[] key = text.strip().getBytes(StandardCharsets.UTF_8);
        if (key.length < Tokens.MIN_KEY_BYTES) {
            spec.commandLine().getErr().println("edgewire-device: the key in " + keyFile + " has " + key.length
                    + " bytes; a token key has at least " + Tokens.MIN_KEY_BYTES);
            return ExitCodes.USAGE;
        }
        String token;
        try {
            token = Tokens.mint(key, subject, commands.grant(), ttl, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            // A device that is not a thing name, or more devices than one token holds.
            spec.commandLine().getErr().println("edgewire-device: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        spec.commandLine().getOut().println(token);
        return ExitCodes.OK;
    }
}
