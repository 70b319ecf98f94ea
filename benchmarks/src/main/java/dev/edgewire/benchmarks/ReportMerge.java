package dev.edgewire.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the sections and headline rows of a partial run ({@code --only}) into a report written by an
 * earlier run, so that running one benchmark again does not throw the others' figures away: a section
 * replaces the one with the same number ({@code ## 7.}), or is added at the end; a headline row replaces
 * the row with the same first cell, or is added below the others. The report's run table gets a row
 * naming the partial run, so every figure still says which run it comes from.
 */
final class ReportMerge {

    private static final String HEADLINE = "## Headline";

    private ReportMerge() {
    }

    /**
     * @param existing  the report as it is
     * @param headlines the partial run's headline table rows ({@code | ... |} lines)
     * @param sections  the partial run's sections, each starting with its {@code ##} title
     * @param runLabel  the first cell of the run table row, such as {@code partial run (section 7)}
     * @param runValue  its second cell: command, date, commit
     */
    static String merge(String existing, List<String> headlines, String sections, String runLabel, String runValue) {
        Map<String, String> blocks = blocks(existing);
        String preamble = blocks.remove("");
        String runRow = "| " + runLabel + " | " + runValue + " |";
        List<String> lines = new ArrayList<>(preamble.strip().lines().filter(l -> !l.startsWith("| " + runLabel + " |")).toList());
        int lastRow = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("|")) {
                lastRow = i;
            }
        }
        lines.add(lastRow + 1, runRow);
        StringBuilder out = new StringBuilder(String.join("\n", lines)).append("\n\n");

        String headlineBlock = blocks.remove(keyOf(HEADLINE));
        List<String> rows = new ArrayList<>(headlineBlock == null
                ? List.of("| benchmark | ours | baseline | ratio | goal | met |", "|---|---|---|---|---|---|")
                : headlineBlock.strip().lines().filter(l -> l.startsWith("|")).toList());
        for (String row : headlines) {
            String first = firstCell(row);
            int at = -1;
            for (int i = 2; i < rows.size(); i++) {
                if (firstCell(rows.get(i)).equals(first)) {
                    at = i;
                }
            }
            if (at >= 0) {
                rows.set(at, row);
            } else {
                rows.add(row);
            }
        }
        out.append(HEADLINE).append("\n\n").append(String.join("\n", rows)).append("\n\n");

        Map<String, String> merged = new LinkedHashMap<>(blocks);
        blocks(sections).forEach((key, block) -> {
            if (!key.isEmpty()) {
                merged.put(key, block);
            }
        });
        merged.values().forEach(block -> out.append(block.strip()).append("\n\n"));
        return out.toString().stripTrailing() + "\n";
    }

    /** The text before the first {@code ## } title under key "", then each {@code ## } block under its key. */
    private static Map<String, String> blocks(String markdown) {
        Map<String, String> blocks = new LinkedHashMap<>();
        String key = "";
        StringBuilder block = new StringBuilder();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            }
            if (!fenced && line.startsWith("## ")) {
                blocks.put(key, block.toString());
                key = keyOf(line);
                block = new StringBuilder();
            }
            block.append(line).append('\n');
        }
        blocks.put(key, block.toString());
        blocks.putIfAbsent("", "");
        return blocks;
    }

    /** {@code ## 7. Fan-out ...} is keyed {@code 7.}; a title without a number by itself. */
    private static String keyOf(String title) {
        String rest = title.substring(3).strip();
        int space = rest.indexOf(' ');
        String first = space < 0 ? rest : rest.substring(0, space);
        return first.matches("\\d+\\.") ? first : rest;
    }

    private static String firstCell(String row) {
        String[] cells = row.split("(?<!\\\\)\\|");
        return cells.length > 1 ? cells[1].strip() : row;
    }
}
