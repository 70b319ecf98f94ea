package dev.edgewire.broadcast;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;

/**
 * When a broadcast must stop starting posts: the invocation's time limit less a margin for the
 * posts already in flight and the hand-over of the rest. A function cut off by its timeout would
 * be retried from the start (asynchronous invocations) or answer nobody (routes).
 */
@FunctionalInterface
public interface Deadline {

    /** Never passes: for callers with no time limit of their own. */
    Deadline NONE = () -> false;

    boolean passed();

    /** Passes once {@code context} has less than {@code margin} left. */
    static Deadline of(Context context, Duration margin) {
        if (context == null) {
            return NONE;
        }
        long marginMillis = margin.toMillis();
        return () -> context.getRemainingTimeInMillis() < marginMillis;
    }
}
