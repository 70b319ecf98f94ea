package dev.edgewire.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown report of one run, the benchmark suite's or the fault suite's: a header describing the
 * machine and the run, a headline table with one row per goal (when goals were measured), then one
 * section per benchmark or scenario, with charts under {@code img/}.
 */
public final class Report {

    /** One goal: what was measured against what, and whether the goal was met. */
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

    /** The sections appended so far, as they would be written. */
    public String sectionsMarkdown() {
        return sections.toString();
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

    /** Writes the header, the headline table if any goal was measured, and the sections. */
    public Path write(String fileName, String header) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName);
        String headline = headlines.isEmpty() ? "" : "## Headline\n\n" + headlineTable() + "\n";
        Files.writeString(file, header.strip() + "\n\n" + headline + sections);
        return file;
    }

    /** A table cell: at most 400 characters, no pipe or line break. */
    public static String cell(String text) {
        return shorten(text, 400).replace("|", "\\|").replace("\n", " ");
    }

    public static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "... (" + text.length() + " chars)";
    }

    /** The checked-out commit, marked when code differs from it (the reports' own files in docs/ do not count). */
    public static String gitCommit(Path root) {
        String commit = exec(root, "git", "rev-parse", "--short=12", "HEAD");
        String dirty = exec(root, "git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs");
        return commit + (dirty.isBlank() ? "" : " (with uncommitted changes)");
    }

    /** The 1, 5 and 15 minute load averages, as {@code /proc/loadavg} has them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Kernel and architecture ({@code uname -srm}). */
    public static String machine() {
        return exec(Path.of("."), "uname", "-srm");
    }

    private static String exec(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
