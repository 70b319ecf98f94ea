package dev.edgewire.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.device.outbox.Outbox;
import dev.edgewire.device.testing.Cli;
import dev.edgewire.device.testing.Seqs;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.device.testing.TlsBroker;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never lose a reading: the broker goes away mid-stream, or the client process is killed with
 * SIGKILL mid-stream, and in the end the broker has received every {@code seq} the device produced.
 */
class OutageRecoveryIT {

    @TempDir
    static Path dir;

    static LocalPki pki;
    static TlsBroker broker;
    static LocalPki.Identity identity;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = LocalPki.openOrCreate(dir.resolve("edge"));
        broker = new TlsBroker(pki, dir).start();
        identity = pki.thing("thing-1");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    static List<String> target(String thing) {
        return List.of("--endpoint", "localhost", "--mqtt-port", String.valueOf(broker.port()),
                "--ca", pki.ca().certificateFile().toString(), "--cert", identity.certificateFile().toString(),
                "--key", identity.privateKeyFile().toString(), "--thing", thing);
    }

    static SortedSet<Long> receivedSeqs(String thing) {
        return Seqs.of(thing, broker.received().stream()
                .filter(r -> r.topic().equals("devices/" + thing + "/telemetry")).map(TlsBroker.Received::payload).toList());
    }

    @Test
    void brokerStoppedMidStream_andRestarted_everySeqIsDelivered() throws Exception {
        String thing = "outage-1";
        Cli.Running run = Cli.start(target(thing), "simulate", "--count", "300", "--rate", "50",
                "--outbox", dir.resolve("outage.db").toString(), "--drain-timeout", "60s", "--json");
        await().atMost(Duration.ofSeconds(30)).until(() -> receivedSeqs(thing).size() >= 50);

        broker.stop();
        Thread.sleep(3000);
        broker.start();

        Cli.Result result = run.result.get(120, TimeUnit.SECONDS);
        System.out.println("after the broker restart: " + result.out());
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = DeviceJson.MAPPER.readTree(result.out());
        assertThat(summary.path("generated").asLong()).isEqualTo(300);
        assertThat(summary.path("acked").asLong()).isEqualTo(300);
        assertThat(summary.path("pending").asLong()).isZero();
        assertThat(summary.path("reconnects").asLong()).isPositive();
        assertThat(receivedSeqs(thing)).isEqualTo(Seqs.range(0, 300));
    }

    @Test
    void clientKilledWithSigkillMidStream_theNextRunDeliversEverySeq() throws Exception {
        String thing = "killed-1";
        Path outbox = dir.resolve("killed.db");
        List<String> args = new ArrayList<>(List.of("simulate", "--count", "5000", "--rate", "100",
                "--outbox", outbox.toString(), "--json"));
        args.addAll(target(thing));

        killOnceReceived(args, thing, 150, "first.log");
        long receivedBeforeRestart = receivedSeqs(thing).size();

        long produced = rerunUntilNothingIsPending(args, thing, outbox, 50, "second.log");
        assertThat(produced).isGreaterThanOrEqualTo(receivedBeforeRestart + 50);
        assertThat(receivedSeqs(thing)).isEqualTo(Seqs.range(0, produced));
    }

    @Test
    void clientKilledWithSigkillWhileStoringUnpacedBursts_theNextRunDeliversEverySeq() throws Exception {
        // At an unpaced rate readings are stored in bursts of up to 256 per transaction (group commit)
        // and sent while the next burst is written: a kill lands in the middle of both.
        String thing = "killed-burst-1";
        Path outbox = dir.resolve("killed-burst.db");
        List<String> args = new ArrayList<>(List.of("simulate", "--count", "200000", "--rate", "1000000",
                "--outbox-capacity", "200000", "--drain-timeout", "100s", "--outbox", outbox.toString(), "--json"));
        args.addAll(target(thing));

        killOnceReceived(args, thing, 200, "first-burst.log");
        long producedBeforeRestart = nextSeq(outbox, thing);
        assertThat(producedBeforeRestart).as("killed while still storing").isLessThan(200000);

        long produced = rerunUntilNothingIsPending(args, thing, outbox, 10, "second-burst.log");
        assertThat(produced).isEqualTo(producedBeforeRestart + 10);
        assertThat(receivedSeqs(thing)).isEqualTo(Seqs.range(0, produced));
    }

    /** Starts simulate and kills it with SIGKILL once the broker has {@code received} of its readings. */
    private static void killOnceReceived(List<String> args, String thing, int received, String logName) throws Exception {
        Process run = child(args, logName);
        await().atMost(Duration.ofSeconds(60)).until(() -> receivedSeqs(thing).size() >= received);
        run.destroyForcibly();
        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    }

    /** Runs simulate again for {@code count} new readings; it must end cleanly with nothing left in the outbox. */
    private static long rerunUntilNothingIsPending(List<String> args, String thing, Path outbox, long count,
                                                   String logName) throws Exception {
        List<String> again = new ArrayList<>(args);
        again.set(again.indexOf("--count") + 1, String.valueOf(count));
        Process run = child(again, logName);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(Files.readString(dir.resolve(logName))).isZero();
        try (Outbox box = Outbox.open(outbox, 10, Outbox.Durability.PROCESS_CRASH)) {
            assertThat(box.pending(thing)).isEmpty();
        }
        return nextSeq(outbox, thing);
    }

    private static long nextSeq(Path outbox, String thing) {
        try (Outbox box = Outbox.open(outbox, 10, Outbox.Durability.PROCESS_CRASH)) {
            return box.peekNextSeq(thing);
        }
    }

    private static Process child(List<String> args, String logName) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("edgewire.device.jar", "target/edgewire-device.jar")));
        command.addAll(args);
        File log = dir.resolve(logName).toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }
}
