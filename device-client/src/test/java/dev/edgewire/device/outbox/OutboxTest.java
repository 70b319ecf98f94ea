package dev.edgewire.device.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

    @TempDir
    Path dir;

    private Outbox open(int capacity) {
        return Outbox.open(dir.resolve("outbox.db"), capacity, Outbox.Durability.PROCESS_CRASH);
    }

    private static byte[] payload(long seq) {
        return ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void append_numbersEachDeviceFromZero_andHandsTheSeqToThePayload() {
        try (Outbox outbox = open(100)) {
            assertThat(outbox.append("a", "t/a", OutboxTest::payload).seq()).isZero();
            assertThat(outbox.append("a", "t/a", OutboxTest::payload).seq()).isEqualTo(1);
            Outbox.Entry b = outbox.append("b", "t/b", OutboxTest::payload);
            assertThat(b.seq()).isZero();
            assertThat(new String(b.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"seq\":0}");
        }
    }

    @Test
    void pendingReadings_andTheSeqCounter_surviveReopening() {
        try (Outbox outbox = open(100)) {
            for (int i = 0; i < 5; i++) {
                outbox.append("a", "t/a", OutboxTest::payload);
            }
            outbox.remove(outbox.pending("a").get(1).id());
        }
        try (Outbox reopened = open(100)) {
            List<Outbox.Entry> pending = reopened.pending("a");
            assertThat(pending).extracting(Outbox.Entry::seq).containsExactly(0L, 2L, 3L, 4L);
            assertThat(reopened.size()).isEqualTo(4);
            assertThat(reopened.append("a", "t/a", OutboxTest::payload).seq()).isEqualTo(5);
        }
    }

    @Test
    void remove_forgetsOnlyThatReading_andIgnoresOneAlreadyGone() {
        try (Outbox outbox = open(100)) {
            Outbox.Entry first = outbox.append("a", "t/a", OutboxTest::payload);
            outbox.append("a", "t/a", OutboxTest::payload);
            outbox.remove(first.id());
            outbox.remove(first.id());
            assertThat(outbox.pending("a")).extracting(Outbox.Entry::seq).containsExactly(1L);
            assertThat(outbox.size()).isEqualTo(1);
        }
    }

    @Test
    void whenFull_newReadingsAreRefused_storedOnesKept_andNoSeqIsSpent() {
        try (Outbox outbox = open(2)) {
            outbox.append("a", "t/a", OutboxTest::payload);
            outbox.append("a", "t/a", OutboxTest::payload);
            assertThatThrownBy(() -> outbox.append("a", "t/a", OutboxTest::payload))
                    .isInstanceOf(OutboxFullException.class).hasMessageContaining("full (2 readings");
            assertThat(outbox.pending("a")).hasSize(2);
            outbox.remove(outbox.pending("a").get(0).id());
            assertThat(outbox.append("a", "t/a", OutboxTest::payload).seq()).isEqualTo(2);
        }
    }

    @Test
    void aFailingPayloadBuilder_storesNothing_andSpendsNoSeq() {
        try (Outbox outbox = open(10)) {
            assertThatThrownBy(() -> outbox.append("a", "t/a", seq -> {
                throw new IllegalStateException("sensor failed");
            })).hasMessage("sensor failed");
            assertThat(outbox.size()).isZero();
            assertThat(outbox.append("a", "t/a", OutboxTest::payload).seq()).isZero();
        }
    }

    @Test
    void acknowledgementsInAnyOrder_removeExactlyThoseReadings_andKeepTheCountRight() {
        try (Outbox outbox = open(100)) {
            List<Outbox.Entry> stored = outbox.appendAll("a", "t/a", 10, OutboxTest::payload);
            outbox.appendAll("b", "t/b", 3, OutboxTest::payload);
            for (int i : new int[] {7, 2, 3, 9, 0, 3, 4}) {
                outbox.remove(stored.get(i).id());
            }
            assertThat(outbox.pending("a")).extracting(Outbox.Entry::seq).containsExactly(1L, 5L, 6L, 8L);
            assertThat(outbox.pending("b")).extracting(Outbox.Entry::seq).containsExactly(0L, 1L, 2L);
            assertThat(outbox.size()).isEqualTo(7);
        }
    }

    @Test
    void appendAll_storesTheWholeBurstInOneGo_withConsecutiveSeqs_andRefusesOnlyWhatDoesNotFit() {
        try (Outbox outbox = open(5)) {
            assertThat(outbox.appendAll("a", "t/a", 3, OutboxTest::payload)).extracting(Outbox.Entry::seq)
                    .containsExactly(0L, 1L, 2L);
            List<Outbox.Entry> second = outbox.appendAll("a", "t/a", 4, OutboxTest::payload);
            assertThat(second).extracting(Outbox.Entry::seq).containsExactly(3L, 4L);
            assertThat(outbox.pending("a")).extracting(Outbox.Entry::id)
                    .doesNotHaveDuplicates().containsAll(second.stream().map(Outbox.Entry::id).toList());
            assertThat(outbox.appendAll("a", "t/a", 1, OutboxTest::payload)).isEmpty();
            assertThat(outbox.peekNextSeq("a")).isEqualTo(5);
        }
    }

    @Test
    void aBurstLongerThanOneInsertStatement_keepsEachReadingWithItsOwnIdSeqAndPayload() {
        try (Outbox outbox = open(1000)) {
            outbox.appendAll("a", "t/a", 5, OutboxTest::payload);
            List<Outbox.Entry> burst = outbox.appendAll("a", "t/a", 75, OutboxTest::payload);

            assertThat(burst).extracting(Outbox.Entry::seq)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(5, 80).boxed().toList());
            assertThat(burst).allSatisfy(e -> assertThat(e.payload()).isEqualTo(payload(e.seq())));
            // What the caller got is exactly what a later run reads back, id by id.
            assertThat(outbox.pending("a").subList(5, 80)).usingRecursiveFieldByFieldElementComparator()
                    .containsExactlyElementsOf(burst);
            outbox.remove(burst.get(40).id());
            outbox.flush();
            assertThat(outbox.pending("a")).extracting(Outbox.Entry::seq).hasSize(79).doesNotContain(45L);
        }
    }

    @Test
    void anOutboxAnotherProcessHolds_isRefusedAsInUse_andFreeOnceItEnds() throws Exception {
        Path file = dir.resolve("held.db");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                OutboxHolder.class.getName(), file.toString(), "localhost:8883")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream())).readLine())
                    .isEqualTo("held");

            assertThatThrownBy(() -> Outbox.open(file, 10, Outbox.Durability.PROCESS_CRASH, "localhost:8883"))
                    .hasMessageContaining("is in use by another run (process " + other.pid() + ")")
                    .hasMessageContaining("--outbox");
        } finally {
            other.getOutputStream().close();
            other.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        }
        try (Outbox free = Outbox.open(file, 10, Outbox.Durability.PROCESS_CRASH, "localhost:8883")) {
            assertThat(free.file()).isEqualTo(file);
        }
    }

    @Test
    void aSecondOpenInTheSameProcess_isRefusedToo() {
        Path file = dir.resolve("twice.db");
        try (Outbox first = Outbox.open(file, 10, Outbox.Durability.PROCESS_CRASH, "localhost:8883")) {
            assertThatThrownBy(() -> Outbox.open(file, 10, Outbox.Durability.PROCESS_CRASH, "localhost:8883"))
                    .hasMessageContaining("in use by another run");
        }
    }

    @Test
    void readingsQueuedForOneTarget_areNeverOpenedForAnother() {
        Path file = dir.resolve("target.db");
        try (Outbox local = Outbox.open(file, 10, Outbox.Durability.PROCESS_CRASH, "localhost:8883")) {
            local.append("thing-1", "devices/thing-1/telemetry", OutboxTest::payload);
        }

        assertThatThrownBy(() -> Outbox.open(file, 10, Outbox.Durability.PROCESS_CRASH,
                "abc-ats.iot.eu-west-1.amazonaws.com:8883"))
                .hasMessageContaining("holds readings for localhost:8883, not for abc-ats.iot.eu-west-1.amazonaws.com:8883");
        try (Outbox again = Outbox.open(file, 10, Outbox.Durability.PROCESS_CRASH, "localhost:8883")) {
            assertThat(again.size()).isEqualTo(1);
        }
    }
}
