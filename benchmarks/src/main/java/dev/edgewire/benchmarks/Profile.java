package dev.edgewire.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of local mode while a benchmark runs, started and stopped from outside with
 * {@code jcmd} (JFR's "profile" settings: a Java stack sample every 10 ms per running thread), and what
 * its execution samples say: the share of local mode's Java CPU each part of the system takes.
 */
final class Profile {

    /**
     * The parts of local mode a sample is charged to: the first whose test matches any frame of its
     * stack. Logging comes first, since it runs inside every other part; the fan-out's posts before its
     * batch handling, since they run inside it.
     */
    static final List<Part> PARTS = List.of(
            new Part("logging (Log4j, SLF4J)", frame -> frame.startsWith("org.apache.logging.") || frame.startsWith("org.slf4j.")),
            new Part("fan-out: signing and sending `@connections` posts (what a worker does)", frame ->
                    frame.startsWith("dev.edgewire.broadcast.Broadcaster") || frame.startsWith("dev.edgewire.broadcast.SignedConnectionPoster")),
            new Part("`@connections` endpoint: checking the signature, writing the WebSocket frame (API Gateway's part)", frame ->
                    frame.startsWith("dev.edgewire.local.websocket.ConnectionsApiHandler")
                            || frame.startsWith("dev.edgewire.local.websocket.LocalConnection")
                            || frame.startsWith("org.eclipse.jetty.websocket.")),
            new Part("fan-out: batch, envelopes, frames, receives and deletes while coalescing", frame ->
                    frame.startsWith("dev.edgewire.telemetry.") || frame.startsWith("dev.edgewire.local.lambda.")
                            || frame.startsWith("dev.edgewire.broadcast.")),
            new Part("SQS: ElasticMQ and local mode's metered front", frame ->
                    frame.startsWith("org.elasticmq.") || frame.startsWith("org.apache.pekko.")
                            || frame.startsWith("dev.edgewire.local.sqs.") || frame.startsWith("org.h2.")),
            new Part("MQTT broker and topic rules", frame ->
                    frame.startsWith("com.hivemq.") || frame.startsWith("dev.edgewire.local.rules.")
                            || frame.startsWith("dev.edgewire.local.mqtt.")),
            new Part("Jetty: selectors, HTTP parsing, thread pool (mostly the `@connections` requests)", frame ->
                    frame.startsWith("org.eclipse.jetty.")),
            new Part("other", frame -> true));

    record Part(String name, Predicate<String> matches) {
    }

    /**
     * What the recording says.
     *
     * @param shares       part name to its share of execution samples, in {@link #PARTS} order
     * @param topFrames    the innermost frames taking the most samples ({@code Class.method}), with their shares
     * @param samples      execution samples in all
     * @param gcPauseSeconds the sum of GC pauses (the serial collector: one core busy for each)
     * @param seconds      how long the recording ran
     */
    record Summary(Map<String, Double> shares, Map<String, Double> topFrames, long samples, double gcPauseSeconds,
                   double seconds) {
    }

    private final long pid;
    private final Path file;
    private final long started;

    private Profile(long pid, Path file) {
        this.pid = pid;
        this.file = file;
        this.started = System.nanoTime();
    }

    /** Starts recording the JVM {@code pid}; the recording goes to {@code file} when stopped. */
    static Profile start(long pid, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        jcmd(pid, "Started recording", "JFR.start", "name=benchmark", "settings=profile");
        return new Profile(pid, file);
    }

    Path file() {
        return file;
    }

    /** Stops the recording, writes it to its file and reads it. */
    Summary stop() throws IOException, InterruptedException {
        double seconds = (System.nanoTime() - started) / 1e9;
        jcmd(pid, "Stopped recording", "JFR.stop", "name=benchmark", "filename=" + file.toAbsolutePath());
        return read(file, seconds);
    }

    static Summary read(Path file, double seconds) throws IOException {
        long[] byPart = new long[PARTS.size()];
        Map<String, Long> byFrame = new LinkedHashMap<>();
        long samples = 0;
        double gc = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String type = event.getEventType().getName();
                if (type.equals("jdk.GarbageCollection")) {
                    gc += event.getDuration("sumOfPauses").toNanos() / 1e9;
                } else if (type.equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
                    List<RecordedFrame> frames = event.getStackTrace().getFrames();
                    if (frames.isEmpty()) {
                        continue;
                    }
                    samples++;
                    List<String> names = new ArrayList<>(frames.size());
                    for (RecordedFrame f : frames) {
                        names.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
                    }
                    byFrame.merge(names.getFirst(), 1L, Long::sum);
                    for (int p = 0; p < PARTS.size(); p++) {
                        if (names.stream().anyMatch(PARTS.get(p).matches())) {
                            byPart[p]++;
                            break;
                        }
                    }
                }
            }
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        for (int p = 0; p < PARTS.size(); p++) {
            shares.put(PARTS.get(p).name(), samples == 0 ? 0 : (double) byPart[p] / samples);
        }
        Map<String, Double> top = new LinkedHashMap<>();
        long total = samples;
        byFrame.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> top.put(e.getKey(), (double) e.getValue() / total));
        return new Summary(shares, top, samples, gc, seconds);
    }

    /** Runs {@code jcmd pid command...}; it must print {@code expected} (jcmd exits 0 on most failures). */
    private static void jcmd(long pid, String expected, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        line.add(Long.toString(pid));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0 || !out.contains(expected)) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out);
        }
    }
}
