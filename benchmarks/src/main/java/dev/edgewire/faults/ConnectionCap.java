package dev.edgewire.faults;

import dev.edgewire.contract.Tokens;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.contract.Topology.ConnectionsPerSubject;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Scenario 10: one token opens many connections at once, far above its subject's cap
 * ({@link ConnectionsPerSubject#MAX}). Exactly the cap get in, however the concurrent {@code $connect}s
 * interleave; every other one is refused at the handshake with {@value ConnectionsPerSubject#REFUSED_STATUS};
 * the ones in work; and once some close, as many new ones get in and no more.
 */
final class ConnectionCap {

    private static final String THING = "thing-cap";
    private static final int CLOSED = 3;

    private ConnectionCap() {
    }

    static Outcome run(Path work, Path deviceJar, Settings s, LogCapture logs) throws Exception {
        int cap = ConnectionsPerSubject.MAX;
        Outcome o = new Outcome("connection-cap", "10. " + s.capConnections() + " connections with one token, cap "
                + cap);
        o.setup = "Local mode in this JVM with the cap on connections per token subject as on AWS (" + cap
                + ", `Topology.ConnectionsPerSubject`); one token minted for a subject of its own; " + s.capConnections()
                + " WebSocket connections opened with it at once (16 handshakes in flight); one `sendMessage` from a "
                + "connection that got in; " + CLOSED + " of them closed, then " + (CLOSED + 1) + " more opened.";
        o.command = "local/bin/edgewire-local --state-dir <dir> --ws-port 0 --mqtt-port 0 --https-port 0 --thing "
                + THING + " (--connections-per-subject " + cap + " is the default)";
        try (Rig rig = Rig.own("connection-cap", work, deviceJar, s, logs, List.of(THING),
                c -> c.withConnectionsPerSubject(cap))) {
            String subject = "cap-" + UUID.randomUUID();
            URI stage = rig.stage(rig.cloud.mintToken(subject, Tokens.Grant.ALL, Duration.ofHours(1)));
            HttpClient http = HttpClient.newHttpClient();

            ConcurrentLinkedQueue<WsClient> accepted = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Integer> refusedWith = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
            long started = System.nanoTime();
            openAtOnce(http, stage, s.capConnections(), accepted, refusedWith, failed);
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            long refused429 = refusedWith.stream().filter(st -> st == ConnectionsPerSubject.REFUSED_STATUS).count();
            o.saw(s.capConnections() + " handshakes in " + tookMs + " ms: " + accepted.size() + " accepted, "
                    + refusedWith.size() + " refused (statuses " + refusedWith.stream().distinct().sorted().toList()
                    + "), " + failed.size() + " failed otherwise" + (failed.isEmpty() ? "" : ": " + failed));
            o.row(new Outcome.Row("connections within the cap (sent = the cap, received = accepted)", cap,
                    accepted.size(), Math.max(0, cap - accepted.size()), Math.max(0, accepted.size() - cap)));
            o.row(new Outcome.Row("connections over the cap (sent = attempts over it, received = refused with "
                    + ConnectionsPerSubject.REFUSED_STATUS + ")", s.capConnections() - cap, refused429,
                    Math.max(0, s.capConnections() - cap - refused429), 0));
            o.check(accepted.size() == cap, "exactly the cap, " + cap + ", got in (" + accepted.size() + ")");
            o.check(refused429 == s.capConnections() - cap, "every connection over the cap was refused with "
                    + ConnectionsPerSubject.REFUSED_STATUS + " (" + refused429 + " of " + (s.capConnections() - cap) + ")");
            o.check(failed.isEmpty(), "no handshake failed in another way");
            int places = places(rig.cloud, subject);
            o.saw("the subject's places row holds " + places + " entries");
            o.check(places == accepted.size(), "the places row holds one entry per open connection");

            List<WsClient> open = new ArrayList<>(accepted);
            String hello = "within the cap " + UUID.randomUUID();
            if (!open.isEmpty()) {
                open.getFirst().send("{\"action\":\"sendMessage\",\"message\":\"" + hello + "\"}");
                int got = 0;
                for (WsClient client : open) {
                    try {
                        client.next(hello);
                        got++;
                    } catch (AssertionError e) {
                        // counted below
                    }
                }
                o.saw("a message from one accepted connection reached " + got + " of " + open.size());
                o.check(got == open.size(), "every accepted connection works");
            }

            for (int i = 0; i < CLOSED && !open.isEmpty(); i++) {
                open.removeFirst().close();
            }
            int reopened = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (reopened < CLOSED && System.nanoTime() < deadline) {
                try {
                    open.add(WsClient.builder(stage).http(http).connect());
                    reopened++;
                } catch (WsClient.Refused r) {
                    Thread.sleep(200); // $disconnect has not given the place back yet
                }
            }
            Integer oneMore = refusal(http, stage, open);
            o.saw("after closing " + CLOSED + ": " + reopened + " new connections got in; one more was "
                    + (oneMore == null ? "accepted" : "refused with " + oneMore));
            o.check(reopened == CLOSED, "each closed connection made room for a new one (" + reopened + " of " + CLOSED + ")");
            o.check(oneMore != null && oneMore == ConnectionsPerSubject.REFUSED_STATUS,
                    "the cap holds again once it is full");
            open.forEach(WsClient::close);
        }
        return o;
    }

    /** Opens {@code n} connections at once, 16 handshakes at a time, sorting each into what became of it. */
    private static void openAtOnce(HttpClient http, URI stage, int n, ConcurrentLinkedQueue<WsClient> accepted,
            ConcurrentLinkedQueue<Integer> refusedWith, ConcurrentLinkedQueue<String> failed) throws Exception {
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                done.add(pool.submit(() -> {
                    inFlight.acquire();
                    try {
                        accepted.add(WsClient.builder(stage).http(http).connect());
                    } catch (WsClient.Refused r) {
                        refusedWith.add(r.status());
                    } catch (Exception e) {
                        failed.add(e.toString());
                    } finally {
                        inFlight.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    /** The status one more connection is refused with, or null if it got in (it is then kept open). */
    private static Integer refusal(HttpClient http, URI stage, List<WsClient> open) throws Exception {
        try {
            open.add(WsClient.builder(stage).http(http).connect());
            return null;
        } catch (WsClient.Refused r) {
            return r.status();
        }
    }

    private static int places(LocalCloud cloud, String subject) {
        var row = cloud.storeClient().getItem(b -> b.tableName(LocalCloud.TABLE_NAME).consistentRead(true)
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(ConnectionTable.PLACES_KEY_PREFIX + subject))));
        AttributeValue places = row.hasItem() ? row.item().get(ConnectionTable.PLACES) : null;
        return places == null || !places.hasSs() ? 0 : places.ss().size();
    }
}
