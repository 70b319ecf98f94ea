package dev.edgewire.device;

import dev.edgewire.device.command.CommandFailures;
import dev.edgewire.device.command.KeysCommand;
import dev.edgewire.device.command.PublishCommand;
import dev.edgewire.device.command.SimulateCommand;
import dev.edgewire.device.command.SubscribeCommand;
import dev.edgewire.device.command.TokenCommand;
import dev.edgewire.device.command.WsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code edgewire-device} command line: the program a person runs at the edge to publish
 * readings over MQTT or HTTPS, watch what arrives, simulate a fleet and talk to the WebSocket stage.
 */
@Command(name = "edgewire-device",
        mixinStandardHelpOptions = true,
        versionProvider = EdgewireDevice.Version.class,
        description = "Device client of edgewire: AWS IoT Core or local mode over MQTT, HTTPS and WebSocket.",
        subcommands = {
                PublishCommand.class,
                SubscribeCommand.class,
                SimulateCommand.class,
                TokenCommand.class,
                KeysCommand.class,
                WsCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  done",
                "  1  could not reach or authenticate with the target (TLS, certificates, network)",
                "  2  bad usage or bad input",
                "  3  readings still pending in the outbox when the run ended (the next run sends them)",
                "  4  the target refused a message (non-2xx answer, MQTT error reason code, limit exceeded)"})
public final class EdgewireDevice {

    private EdgewireDevice() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; the entry point of tests. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured picocli command line, shared by {@link #run} and argument-parsing tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(EdgewireDevice.class);
        commandLine.setExecutionExceptionHandler(new CommandFailures());
        return commandLine;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = EdgewireDevice.class.getPackage().getImplementationVersion();
            return new String[] {"edgewire-device " + (version == null ? "development build" : version)};
        }
    }
}
