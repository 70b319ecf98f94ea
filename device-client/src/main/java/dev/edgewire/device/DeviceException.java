package dev.edgewire.device;

/** A failure with a message meant for the person at the terminal, and the exit code it maps to. */
public class DeviceException extends RuntimeException {
    private final int exitCode;

    public DeviceException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public DeviceException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static DeviceException usage(String message) {
        return new DeviceException(ExitCodes.USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
