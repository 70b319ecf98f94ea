package dev.edgewire.device.transport;

/**
 * AWS IoT Core's per-connection limits, enforced on the client so a message over them gets a clear
 * message here instead of a silent drop or a disconnect there.
 */
public final class IotCoreLimits {
    /** Publish requests per second per connection. */
    public static final int PUBLISHES_PER_SECOND = 100;
    /** Largest message payload, bytes. */
    public static final int MAX_PAYLOAD_BYTES = 128 * 1024;

    private IotCoreLimits() {
    }

    /** Refuses a payload AWS IoT Core would refuse. */
    public static void checkPayload(int bytes) {
        if (bytes > MAX_PAYLOAD_BYTES) {
            throw new PublishRefusedException("The message is " + bytes + " bytes; AWS IoT Core takes at most "
                    + MAX_PAYLOAD_BYTES + " bytes (128 KB) per message. Split it or send less.");
        }
    }
}
