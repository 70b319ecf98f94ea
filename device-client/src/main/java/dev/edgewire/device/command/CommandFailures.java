package dev.edgewire.device.command;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.transport.NotAcknowledgedException;
import dev.edgewire.device.transport.NotAuthorizedException;
import dev.edgewire.device.transport.PublishRefusedException;
import dev.edgewire.device.transport.SubscribeRefusedException;
import dev.edgewire.device.transport.SessionTakenOverException;
import dev.edgewire.device.transport.TransportException;
import dev.edgewire.device.transport.TransportInterruptedException;
import dev.edgewire.device.transport.UnreachableException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How a command that failed ends: one line on standard error and the exit code of what went wrong.
 * The one place where failures become {@link ExitCodes}.
 */
public final class CommandFailures implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (failure instanceof DeviceException || failure instanceof TransportException) {
            err.println("edgewire-device: " + failure.getMessage());
        } else {
            err.println("edgewire-device: unexpected failure: " + failure);
            failure.printStackTrace(err);
        }
        err.flush();
        return exitCode(failure);
    }

    /** The exit code a command ends with after {@code failure}. */
    public static int exitCode(Throwable failure) {
        return switch (failure) {
            case DeviceException device -> device.exitCode();
            case TransportException transport -> exitCode(transport);
            default -> ExitCodes.UNREACHABLE;
        };
    }

    private static int exitCode(TransportException failure) {
        return switch (failure) {
            case UnreachableException unreachable -> ExitCodes.UNREACHABLE;
            case NotAuthorizedException notAuthorized -> ExitCodes.UNREACHABLE;
            case NotAcknowledgedException notAcknowledged -> ExitCodes.UNREACHABLE;
            case TransportInterruptedException interrupted -> ExitCodes.UNREACHABLE;
            case PublishRefusedException refused -> ExitCodes.REFUSED;
            case SubscribeRefusedException refused -> ExitCodes.REFUSED;
            case SessionTakenOverException takenOver -> ExitCodes.TAKEN_OVER;
        };
    }
}
