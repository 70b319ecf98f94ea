package dev.edgewire.device.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.device.DeviceJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReadingWriterTest {

    @Test
    void write_givesTheSameBytesAsTheSharedMapper_forEveryReadingOfALongRun() throws Exception {
        ReadingGenerator generator = new ReadingGenerator(42);
        ReadingWriter writer = new ReadingWriter();
        Instant ts = Instant.parse("2026-11-29T21:00:00.120Z");
        for (long seq = 0; seq < 5_000; seq++) {
            Reading reading = generator.reading("thing-1", seq, ts.plusMillis(seq));
            assertThat(new String(writer.write(reading), StandardCharsets.UTF_8))
                    .isEqualTo(DeviceJson.MAPPER.writeValueAsString(reading));
        }
    }

    @Test
    void write_escapesText_andKeepsEdgeNumbers_likeTheSharedMapper() throws Exception {
        ReadingWriter writer = new ReadingWriter();
        Reading odd = new Reading("dev \"1\"\n\u00e9", Long.MAX_VALUE, "2026-11-29T21:00:00Z", -0.0, 1e-7, 1.0E21, 1);
        Reading plain = new Reading("thing-1", 42, "2026-11-29T21:00:00Z", 22.4, 41.2, 1012.8, 0.93);
        assertThat(new String(writer.write(odd), StandardCharsets.UTF_8)).isEqualTo(DeviceJson.MAPPER.writeValueAsString(odd));
        assertThat(new String(writer.write(plain), StandardCharsets.UTF_8)).isEqualTo(
                "{\"deviceId\":\"thing-1\",\"seq\":42,\"ts\":\"2026-11-29T21:00:00Z\",\"temperature\":22.4,"
                        + "\"humidity\":41.2,\"pressure\":1012.8,\"battery\":0.93}");
    }
}
