package dev.edgewire.device.transport;

import java.util.List;
import java.util.stream.Collectors;

/** The broker answered and refused a topic filter. */
public final class SubscribeRefusedException extends TransportException {
    public SubscribeRefusedException(String message) {
        super(message, null);
    }

    public SubscribeRefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The refusal of {@code filter} with the SUBACK's codes (MQTT 5 reason codes, MQTT 3.1.1 return codes). */
    static SubscribeRefusedException of(String filter, List<?> codes, Throwable cause) {
        return new SubscribeRefusedException("the broker refused the subscription to " + filter + ": "
                + codes.stream().map(String::valueOf).collect(Collectors.joining(", ")), cause);
    }
}
