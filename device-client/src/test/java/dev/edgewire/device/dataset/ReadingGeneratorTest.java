package dev.edgewire.device.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.device.DeviceJson;
import java.time.Instant;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReadingGeneratorTest {
    private static final Instant TS = Instant.parse("2026-11-29T21:00:00Z");

    @Test
    void sameSeedDeviceAndSeq_giveTheSameReading_acrossInstances() {
        ReadingGenerator first = new ReadingGenerator(42);
        ReadingGenerator second = new ReadingGenerator(42);
        LongStream.range(0, 500).forEach(seq ->
                assertThat(second.reading("thing-1", seq, TS)).isEqualTo(first.reading("thing-1", seq, TS)));
    }

    @Test
    void anotherSeed_givesAnotherSeries() {
        assertThat(LongStream.range(0, 50).filter(seq ->
                !new ReadingGenerator(1).reading("thing-1", seq, TS).equals(new ReadingGenerator(2).reading("thing-1", seq, TS)))
                .count()).isGreaterThan(40);
    }

    @Test
    void devices_getTheirOwnOffsets() {
        ReadingGenerator generator = new ReadingGenerator(42);
        double meanA = LongStream.range(0, 720).mapToDouble(s -> generator.reading("sim-1", s, TS).temperature()).average().orElseThrow();
        double meanB = LongStream.range(0, 720).mapToDouble(s -> generator.reading("sim-2", s, TS).temperature()).average().orElseThrow();
        assertThat(meanA).isNotCloseTo(meanB, org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void values_stayPlausible_overALongRun() {
        ReadingGenerator generator = new ReadingGenerator(7);
        for (long seq = 0; seq < 20_000; seq += 7) {
            Reading r = generator.reading("thing-1", seq, TS);
            assertThat(r.temperature()).isBetween(10.0, 32.0);
            assertThat(r.humidity()).isBetween(0.0, 100.0);
            assertThat(r.pressure()).isBetween(1000.0, 1025.0);
            assertThat(r.battery()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void battery_drains_andTemperatureFollowsACurve() {
        ReadingGenerator generator = new ReadingGenerator(42);
        assertThat(generator.reading("thing-1", 10_000, TS).battery())
                .isLessThan(generator.reading("thing-1", 0, TS).battery());
        double spread = LongStream.range(0, 720).mapToDouble(s -> generator.reading("thing-1", s, TS).temperature())
                .summaryStatistics().getMax()
                - LongStream.range(0, 720).mapToDouble(s -> generator.reading("thing-1", s, TS).temperature())
                .summaryStatistics().getMin();
        assertThat(spread).isBetween(4.0, 8.0);
    }

    @Test
    void json_hasTheFieldsOfTheDesign_inItsOrder() throws Exception {
        String json = DeviceJson.MAPPER.writeValueAsString(new Reading("thing-1", 42, "2026-11-29T21:00:00Z", 22.4, 41.2, 1012.8, 0.93));
        assertThat(json).isEqualTo("{\"deviceId\":\"thing-1\",\"seq\":42,\"ts\":\"2026-11-29T21:00:00Z\","
                + "\"temperature\":22.4,\"humidity\":41.2,\"pressure\":1012.8,\"battery\":0.93}");
    }
}
