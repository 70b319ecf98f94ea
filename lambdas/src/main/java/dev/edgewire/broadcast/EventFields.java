package dev.edgewire.broadcast;

import java.util.ArrayList;
import java.util.List;

/** Reading the fields of the fan-out's own events from the plain maps the Lambda runtime gives. */
final class EventFields {

    private EventFields() {
    }

    /** {@code value} as a list of strings, or {@code null} when it is not a list of strings only. */
    static List<String> strings(Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        List<String> strings = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                return null;
            }
            strings.add(s);
        }
        return strings;
    }
}
