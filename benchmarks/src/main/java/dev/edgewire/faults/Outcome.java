package dev.edgewire.faults;

import java.util.ArrayList;
import java.util.List;

/** What one scenario did and saw: the counts, what was observed, how to run it, and what failed. */
final class Outcome {

    /** One stream or message set counted at a receiver. */
    record Row(String what, long sent, long received, long missing, long duplicated) {
        static Row of(String what, Tally.Counts counts) {
            return new Row(what, counts.sent(), counts.received(), counts.missing(), counts.duplicated());
        }
    }

    /** One bad input of the catalogue. */
    record Case(String entryPoint, String input, String expected, String observed, boolean asExpected,
                boolean othersServed) {
    }

    final String id;
    final String title;
    final List<Row> rows = new ArrayList<>();
    final List<String> observed = new ArrayList<>();
    final List<String> logged = new ArrayList<>();
    final List<Case> cases = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    String setup = "";
    String command = "";

    Outcome(String id, String title) {
        this.id = id;
        this.title = title;
    }

    void row(Row row) {
        rows.add(row);
    }

    void saw(String line) {
        observed.add(line);
        System.out.println("[" + id + "] " + line);
    }

    /** Records a failed expectation unless {@code ok}. */
    void check(boolean ok, String expectation) {
        if (!ok) {
            failures.add(expectation);
            System.out.println("[" + id + "] FAILED: " + expectation);
        }
    }

    boolean passed() {
        return failures.isEmpty();
    }
}
