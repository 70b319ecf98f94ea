package dev.edgewire.device;

/** Exit codes of {@code edgewire-device}; scripts may rely on them. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The target could not be reached or did not accept our TLS identity. */
    public static final int UNREACHABLE = 1;
    /** Bad usage or bad input (picocli uses 2 for usage errors as well). */
    public static final int USAGE = 2;
    /** Readings remain in the outbox; the next run delivers them. */
    public static final int PENDING = 3;
    /** The target refused a message or a subscription. */
    public static final int REFUSED = 4;
    /** Another client connected with the same client id and took the session; this one stopped rather than fight. */
    public static final int TAKEN_OVER = 5;

    private ExitCodes() {
    }
}
