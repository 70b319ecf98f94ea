package dev.edgewire.systemtests.readme;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of a Markdown file, each with the section it is in and the HTML comments
 * (invisible on GitHub) on the lines just above its opening fence, which is how the README marks the
 * blocks a test runs.
 */
final class ReadmeBlocks {

    private static final Pattern COMMENT = Pattern.compile("^\\s*<!--\\s*(.*?)\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^(\\s*)```\\s*(\\S*)\\s*$");

    private ReadmeBlocks() {
    }

    /**
     * A fenced block: its first line's number (1-based, the opening fence), the level-2 heading above it,
     * its language, the comments right above it and its text without the fence's indentation.
     */
    record Block(int line, String section, String language, List<String> markers, String text) {

        boolean marked(String marker) {
            return markers.contains(marker);
        }

        /** The lines a shell runs: a transcript's {@code > } and {@code < } lines are not among them. */
        String script() {
            return String.join("\n", text.lines().filter(l -> !l.startsWith("> ") && !l.startsWith("< ")).toList());
        }

        /** What a transcript shows being typed ({@code > ...}). */
        List<String> typed() {
            return text.lines().filter(l -> l.startsWith("> ")).map(l -> l.substring(2)).toList();
        }

        /** What a transcript shows arriving ({@code < ...}). */
        List<String> received() {
            return text.lines().filter(l -> l.startsWith("< ")).map(l -> l.substring(2)).toList();
        }

        String firstLine() {
            return text.lines().findFirst().orElse("");
        }

        @Override
        public String toString() {
            return "README.md line " + line + " (" + section + "): " + firstLine();
        }
    }

    static List<Block> parse(String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Block> blocks = new ArrayList<>();
        String section = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("## ")) {
                section = line.substring(3).trim();
                continue;
            }
            Matcher open = FENCE.matcher(line);
            if (!open.matches()) {
                continue;
            }
            String indent = open.group(1);
            List<String> markers = new ArrayList<>();
            for (int j = i - 1; j >= 0; j--) {
                Matcher comment = COMMENT.matcher(lines.get(j));
                if (!comment.matches()) {
                    break;
                }
                markers.addFirst(comment.group(1));
            }
            int start = i;
            List<String> body = new ArrayList<>();
            for (i++; i < lines.size() && !lines.get(i).trim().equals("```"); i++) {
                String text = lines.get(i);
                body.add(text.startsWith(indent) ? text.substring(indent.length()) : text.stripLeading());
            }
            if (i == lines.size()) {
                throw new IllegalStateException("README.md line " + (start + 1) + ": a code block that never ends");
            }
            blocks.add(new Block(start + 1, section, open.group(2), List.copyOf(markers), String.join("\n", body)));
        }
        return List.copyOf(blocks);
    }
}
