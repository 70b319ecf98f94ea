package dev.edgewire.faults;

import dev.edgewire.benchmarks.LocalModeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 3: WebSocket clients that vanish without a close frame and without {@code $disconnect}
 * ever running, so their rows stay in the table, as on AWS when API Gateway never delivers the
 * disconnect. Reproduced by killing local mode (SIGKILL) under the connected clients: nothing
 * closes them and no handler runs, while the rows stay in the store on disk. Local mode then starts
 * again on the same state, live clients connect, and one broadcast must delete every stale row
 * (each post gets 410 Gone) while the live clients get every message.
 */
final class VanishedClients {

    private static final Pattern BROADCAST = Pattern.compile("broadcast delivered=(\\d+) gone=(\\d+) failed=(\\d+) unsent=(\\d+) durationMs=(\\d+)");

    private VanishedClients() {
    }

    static Outcome run(Path work, Settings s) throws Exception {
        Outcome o = new Outcome("vanished-clients", "3. " + s.vanished()
                + " WebSocket clients that vanish without a close frame");
        o.setup = "Local mode as a child JVM (`" + dev.edgewire.local.LocalMode.class.getName()
                + "`, as local/bin/edgewire-local runs it); " + s.vanished() + " clients connect; local mode gets SIGKILL, "
                + "so no close frame is sent and no `$disconnect` runs, and the rows stay in dynalite's data on disk; "
                + "local mode starts again on the same state; " + s.live() + " live clients connect; one `sendMessage` "
                + "broadcast, then " + s.liveMessages() + " more.";
        o.command = "local/bin/edgewire-local --state-dir <dir> --ws-port 0 --mqtt-port 0 --https-port 0; "
                + "kill -9 <pid>; local/bin/edgewire-local --state-dir <dir> ...";
        Path state = work.resolve("vanish-state");
        Path log = work.resolve("vanish-local-mode.log");
        Files.deleteIfExists(log);
        HttpClient http = HttpClient.newHttpClient();
        List<Tally> vanishing = Collections.synchronizedList(new ArrayList<>());
        try (LocalModeProcess first = LocalModeProcess.restartable(state, log, List.of(Rig.HEALTHY_THING))) {
            long started = System.nanoTime();
            connectAll(http, first.stage(), s.vanished(), vanishing);
            o.saw(vanishing.size() + " clients connected in " + (System.nanoTime() - started) / 1_000_000 + " ms; rows "
                    + "in the table: " + first.rows());
            int exit = first.kill();
            o.saw("local mode killed, exit status " + exit + "; rows left in the store: " + first.rows());
            o.check(exit == 137, "local mode died of SIGKILL (exit 137, was " + exit + ")");
        }
        vanishing.forEach(Tally::abort);

        try (LocalModeProcess second = LocalModeProcess.restartable(state, log, List.of(Rig.HEALTHY_THING))) {
            int staleBefore = second.rows();
            List<Tally> live = new ArrayList<>();
            for (int i = 0; i < s.live(); i++) {
                live.add(Tally.connect(http, second.stage()));
            }
            int rowsBefore = second.rows();
            o.saw("local mode started again on the same state: " + staleBefore + " stale rows; with "
                    + s.live() + " live clients: " + rowsBefore + " rows");
            o.check(staleBefore == s.vanished(), "every vanished client's row outlived the kill (" + staleBefore
                    + " of " + s.vanished() + ")");
            int logMark = second.logText().length();

            List<String> texts = new ArrayList<>();
            texts.add("broadcast 1 of " + (1 + s.liveMessages()));
            live.get(0).send(sendMessage(texts.get(0)));
            boolean firstArrived = StoreOutage.waitFor(() -> live.stream().allMatch(t -> t.messageCount(texts.get(0)) == 1),
                    Duration.ofSeconds(60));
            // Above the shard size the fan-out hands its audience to worker invocations, each of which logs its
            // own broadcast line and deletes the gone rows it meets: the rows are read once they stop changing.
            int rowsAfterOne = awaitRows(second, s.live(), Duration.ofSeconds(60));
            List<String> broadcastLines = broadcastLines(second, logMark);
            int gone = 0;
            for (String line : broadcastLines) {
                Matcher m = BROADCAST.matcher(line);
                if (m.find()) {
                    gone += Integer.parseInt(m.group(2));
                }
            }
            o.saw("after one broadcast: " + rowsAfterOne + " rows (stale rows left: " + (rowsAfterOne - s.live())
                    + "); local mode logged " + (broadcastLines.size() == 1 ? "`" + broadcastLines.get(0) + "`"
                    : broadcastLines.size() + " broadcast lines, one per shard, " + gone + " gone in all: `"
                    + String.join("`, `", broadcastLines) + "`"));
            o.check(firstArrived, "the first broadcast reached every live client");
            o.check(rowsAfterOne == s.live(), "one broadcast deleted every stale row (" + (rowsAfterOne - s.live())
                    + " left)");
            o.check(gone == s.vanished(), "that broadcast found all " + s.vanished() + " connections gone (410; "
                    + gone + ")");

            for (int i = 1; i <= s.liveMessages(); i++) {
                String text = "broadcast " + (i + 1) + " of " + (1 + s.liveMessages());
                texts.add(text);
                live.get(i % live.size()).send(sendMessage(text));
            }
            StoreOutage.waitFor(() -> live.stream().allMatch(t -> texts.stream().allMatch(x -> t.messageCount(x) >= 1)),
                    Duration.ofSeconds(30));
            Thread.sleep(500); // a duplicate would arrive right behind
            long expected = (long) texts.size() * live.size();
            long received = 0;
            long duplicated = 0;
            for (Tally t : live) {
                for (String text : texts) {
                    int n = t.messageCount(text);
                    received += Math.min(1, n);
                    duplicated += Math.max(0, n - 1);
                }
            }
            o.row(new Outcome.Row("broadcasts x live clients (" + texts.size() + " x " + live.size() + ")",
                    expected, received, expected - received, duplicated));
            o.row(new Outcome.Row("stale rows: before the first broadcast / deleted by it (sent = stale, "
                    + "received = deleted)", staleBefore, staleBefore - (rowsAfterOne - s.live()),
                    rowsAfterOne - s.live(), 0));
            o.check(received == expected, "every live client got every message");
            o.check(duplicated == 0, "no message arrived twice");
            live.forEach(Tally::close);
        }
        return o;
    }

    private static String sendMessage(String text) {
        return "{\"action\":\"sendMessage\",\"message\":\"" + text + "\"}";
    }

    /** The broadcast lines local mode logged since {@code from} that found connections gone. */
    private static List<String> broadcastLines(LocalModeProcess process, int from) {
        List<String> lines = new ArrayList<>();
        try {
            String text = process.logText();
            Matcher m = BROADCAST.matcher(text.substring(Math.min(from, text.length())));
            while (m.find()) {
                if (Integer.parseInt(m.group(2)) > 0) {
                    lines.add(m.group());
                }
            }
        } catch (java.io.IOException e) {
            // none read
        }
        return lines;
    }

    /** The table's rows once they are {@code expected}, or once they have not changed for 5 s, at most {@code max}. */
    private static int awaitRows(LocalModeProcess process, int expected, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        int rows = process.rows();
        long changed = System.nanoTime();
        while (rows != expected && System.nanoTime() < deadline
                && System.nanoTime() - changed < Duration.ofSeconds(5).toNanos()) {
            Thread.sleep(250);
            int now = process.rows();
            if (now != rows) {
                rows = now;
                changed = System.nanoTime();
            }
        }
        return rows;
    }

    /** Connects {@code n} clients, a few at a time, through one shared HTTP client. */
    private static void connectAll(HttpClient http, URI stage, int n, List<Tally> into) throws Exception {
        Semaphore concurrent = new Semaphore(16);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                done.add(pool.submit(() -> {
                    concurrent.acquire();
                    try {
                        into.add(Tally.connect(http, stage));
                    } finally {
                        concurrent.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }
}
