package dev.edgewire.benchmarks;

import dev.edgewire.contract.Topology;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mosquitto_sub} connected to local mode's broker as the observer, subscribed at QoS 1 to every
 * device's telemetry, so that what a publisher that reports no acknowledgements ({@code mosquitto_pub})
 * sent is counted where it arrives. It prints each reading with the time it received it ({@code -F "%U %p"}),
 * and, with {@code -d}, the SUBACK, which tells that the subscription is in place before anything is
 * published; {@code stdbuf -oL} hands each line over as it is printed, where a pipe would hold it in
 * stdio's buffer. It exits by itself after {@code count} readings ({@code -C}) or {@code timeout} ({@code -W}).
 */
final class ObserverSubscriber implements AutoCloseable {

    /** A reading line: the receive time in seconds since the epoch with nanoseconds, a space, the payload. */
    private static final Pattern READING = Pattern.compile("^(\\d+\\.\\d+) (.*)$");
    /** mosquitto_sub's debug line for the SUBACK: the granted QoS of each filter, 128 for a refused one. */
    private static final Pattern SUBSCRIBED = Pattern.compile("^Subscribed \\(mid: \\d+\\): (\\d+)");

    private final Process process;
    private final List<String> command;
    /** Each payload seen, with the time it was first received. */
    private final Map<String, Instant> firstSeen = new HashMap<>();
    private final List<String> other = new ArrayList<>();
    private final CompletableFuture<Integer> granted = new CompletableFuture<>();
    private Thread reader;

    private ObserverSubscriber(Process process, List<String> command) {
        this.process = process;
        this.command = command;
    }

    /** The command line, for the report and to start it. */
    static List<String> command(LocalModeProcess local, int count, Duration timeout) {
        return List.of("stdbuf", "-oL", "mosquitto_sub", "-h", "localhost", "-p", Integer.toString(local.mqttPort()),
                "--cafile", local.caFile().toString(), "--cert", local.observerCertificateFile().toString(),
                "--key", local.observerPrivateKeyFile().toString(), "-i", local.observerClientId(),
                "-t", Topology.Topics.TELEMETRY_FILTER, "-q", "1", "-C", Integer.toString(count),
                "-W", Long.toString(timeout.toSeconds()), "-F", "%U %p", "-d");
    }

    /** Starts it in {@code work} and returns once the broker has granted the subscription at QoS 1. */
    static ObserverSubscriber start(List<String> command, Path work) throws Exception {
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        ObserverSubscriber subscriber = new ObserverSubscriber(process, command);
        subscriber.reader = Thread.ofPlatform().daemon().name("observer-subscriber-" + process.pid())
                .start(subscriber::read);
        int qos;
        try {
            qos = subscriber.granted.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            subscriber.close();
            throw new IllegalStateException("the observer's mosquitto_sub did not subscribe within 30 s:\n"
                    + subscriber.otherLines(), e);
        }
        if (qos != 1) {
            subscriber.close();
            throw new IllegalStateException("the broker granted the observer's subscription QoS " + qos
                    + " (128: refused):\n" + subscriber.otherLines());
        }
        return subscriber;
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher reading = READING.matcher(line);
                if (reading.matches()) {
                    Instant at = epoch(reading.group(1));
                    synchronized (this) {
                        firstSeen.putIfAbsent(reading.group(2), at);
                    }
                    continue;
                }
                Matcher subscribed = SUBSCRIBED.matcher(line);
                if (subscribed.find()) {
                    granted.complete(Integer.parseInt(subscribed.group(1)));
                }
                synchronized (this) {
                    if (other.size() < 200) {
                        other.add(line);
                    }
                }
            }
        } catch (IOException ended) {
            // the process ended
        } finally {
            granted.completeExceptionally(new IllegalStateException("mosquitto_sub ended"));
        }
    }

    /**
     * Waits until mosquitto_sub has exited (after the {@code -C} readings, or its {@code -W} timeout) or
     * {@code wait} has passed, then counts the readings of {@code expected} it received.
     */
    Delivery await(Set<String> expected, Duration wait) throws InterruptedException {
        boolean exited = process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
        close();
        // What it printed before it ended may still be in the pipe.
        reader.join(Duration.ofSeconds(10));
        synchronized (this) {
            int delivered = 0;
            int foreign = 0;
            Instant last = null;
            for (Map.Entry<String, Instant> seen : firstSeen.entrySet()) {
                if (expected.contains(seen.getKey())) {
                    delivered++;
                    last = last == null || seen.getValue().isAfter(last) ? seen.getValue() : last;
                } else {
                    foreign++;
                }
            }
            return new Delivery(delivered, foreign, last, exited);
        }
    }

    /**
     * What arrived.
     *
     * @param delivered distinct readings of the run
     * @param foreign   distinct payloads that were not the run's
     * @param last      when the last of the run's readings was received, or null for none
     * @param exited    whether mosquitto_sub ended by itself
     */
    record Delivery(int delivered, int foreign, Instant last, boolean exited) {
    }

    synchronized String otherLines() {
        return String.join("\n", other);
    }

    List<String> command() {
        return command;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Instant epoch(String secondsWithFraction) {
        BigDecimal seconds = new BigDecimal(secondsWithFraction);
        long whole = seconds.longValue();
        long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
        return Instant.ofEpochSecond(whole, nanos);
    }
}
