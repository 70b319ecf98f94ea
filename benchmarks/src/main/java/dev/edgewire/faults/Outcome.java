package dev.edgewire.faults;

import static dev.edgewire.benchmarks.Report.cell;

import dev.edgewire.benchmarks.Report;
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
    /** Goals the run did not meet: reported with the reason, not failures of what the code guarantees. */
    final List<String> goalsMissed = new ArrayList<>();
    /** Measured figures by name, for the tests to check (the report shows them in its observations). */
    final java.util.Map<String, Double> figures = new java.util.LinkedHashMap<>();
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

    /**
     * Records a goal the run did not meet unless {@code ok}, with {@code why}: what the time went to and
     * what would reach it. A goal stays in the report until it is met; it does not fail the suite.
     */
    void goal(boolean ok, String goal, String why) {
        if (!ok) {
            goalsMissed.add(goal + ". " + why);
            System.out.println("[" + id + "] GOAL NOT MET: " + goal);
        }
    }

    boolean passed() {
        return failures.isEmpty();
    }

    /** Its section of the report: what was set up and run, the counts or the cases, what was seen and logged. */
    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(title).append(passed() ? "" : " (FAILED)").append("\n\n");
        if (!setup.isEmpty()) {
            md.append(setup).append("\n\n");
        }
        if (!command.isEmpty()) {
            md.append("Command: `").append(command).append("`\n\n");
        }
        if (!rows.isEmpty()) {
            md.append("| counted | sent | received | missing | duplicated |\n|---|---:|---:|---:|---:|\n");
            for (Row r : rows) {
                md.append("| ").append(cell(r.what())).append(" | ").append(r.sent()).append(" | ")
                        .append(r.received()).append(" | ").append(r.missing()).append(" | ")
                        .append(r.duplicated()).append(" |\n");
            }
            md.append('\n');
        }
        if (!cases.isEmpty()) {
            md.append("| # | entry point | input | expected error | observed | as expected | others still served |\n"
                    + "|---:|---|---|---|---|---|---|\n");
            int n = 1;
            for (Case c : cases) {
                md.append("| ").append(n++).append(" | ").append(cell(c.entryPoint())).append(" | ")
                        .append(cell(c.input())).append(" | ").append(cell(c.expected())).append(" | ")
                        .append(cell(c.observed())).append(" | ").append(c.asExpected() ? "yes" : "**no**")
                        .append(" | ").append(c.othersServed() ? "yes" : "**no**").append(" |\n");
            }
            md.append('\n');
        }
        if (!observed.isEmpty()) {
            md.append("Observed:\n\n");
            observed.forEach(line -> md.append("- ").append(line).append('\n'));
            md.append('\n');
        }
        if (!logged.isEmpty()) {
            md.append("Local mode logged (warnings and errors):\n\n```\n");
            logged.forEach(line -> md.append(Report.shorten(line, 300)).append('\n'));
            md.append("```\n\n");
        }
        if (!goalsMissed.isEmpty()) {
            md.append("Goals not met:\n\n");
            goalsMissed.forEach(g -> md.append("- ").append(g).append('\n'));
            md.append('\n');
        }
        if (!failures.isEmpty()) {
            md.append("Failed expectations:\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }
}
