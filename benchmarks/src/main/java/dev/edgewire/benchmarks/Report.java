package dev.edgewire.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Markdown report: a header describing the machine and the run, a headline table with one row
 * per goal, then one section per benchmark with its numbers, the exact commands and its charts.
 */
public final class Report {

    /** One goal of the issue: what was measured against what, and whether the goal was met. */
    public record Headline(String benchmark, String ours, String baseline, String ratio, String goal, Boolean met) {

        String verdict() {
            return met == null ? "no goal" : met ? "yes" : "**no**";
        }
    }

    private final Path dir;
    private final List<Headline> headlines = new ArrayList<>();
    private final StringBuilder sections = new StringBuilder();

    /** @param dir where the Markdown file goes; charts go to {@code img/} below it */
    public Report(Path dir) {
        this.dir = dir;
    }

    public Path imageDir() throws IOException {
        return Files.createDirectories(dir.resolve("img"));
    }

    public void headline(Headline h) {
        headlines.add(h);
    }

    public List<Headline> headlines() {
        return List.copyOf(headlines);
    }

    /** Appends a section (Markdown, starting with its own {@code ##} title). */
    public void section(String markdown) {
        sections.append(markdown.strip()).append("\n\n");
    }

    public String headlineTable() {
        return headlineTableOf(headlines);
    }

    public String headlineTableOf(List<Headline> rows) {
        StringBuilder t = new StringBuilder("| benchmark | ours | baseline | ratio | goal | met |\n|---|---|---|---|---|---|\n");
        for (Headline h : rows) {
            t.append("| ").append(h.benchmark()).append(" | ").append(h.ours()).append(" | ").append(h.baseline())
                    .append(" | ").append(h.ratio()).append(" | ").append(h.goal()).append(" | ").append(h.verdict()).append(" |\n");
        }
        return t.toString();
    }

    public Path write(String fileName, String header) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName);
        Files.writeString(file, header.strip() + "\n\n## Headline\n\n" + headlineTable() + "\n" + sections);
        return file;
    }
}
