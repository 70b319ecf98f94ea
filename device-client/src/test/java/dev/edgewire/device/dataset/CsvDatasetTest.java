package dev.edgewire.device.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.device.DeviceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetTest {
    private static final Instant TS = Instant.parse("2026-11-29T21:00:00Z");

    @Test
    void bundledDataset_replaysRowsInOrder_andWrapsAround() {
        CsvDataset dataset = CsvDataset.open(CsvDataset.BUNDLED);
        assertThat(dataset.size()).isGreaterThan(100);
        Reading first = dataset.reading("thing-1", 0, TS);
        Reading wrapped = dataset.reading("thing-1", dataset.size(), TS);
        assertThat(wrapped.temperature()).isEqualTo(first.temperature());
        assertThat(wrapped.seq()).isEqualTo(dataset.size());
        assertThat(first.deviceId()).isEqualTo("thing-1");
    }

    @Test
    void columns_mayComeInAnyOrder(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("r.csv"), "battery,pressure,humidity,temperature\n0.5,1001.0,40.0,19.5\n");
        Reading reading = CsvDataset.open(file.toString()).reading("d", 3, TS);
        assertThat(reading).isEqualTo(new Reading("d", 3, TS.toString(), 19.5, 40.0, 1001.0, 0.5));
    }

    @Test
    void aBadCell_isReportedWithItsLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("r.csv"), "temperature,humidity,pressure,battery\n1,2,3,4\n1,x,3,4\n");
        assertThatThrownBy(() -> CsvDataset.open(file.toString()))
                .isInstanceOf(DeviceException.class).hasMessageContaining("line 3").hasMessageContaining("humidity");
    }

    @Test
    void aMissingColumn_isNamed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("r.csv"), "temperature,humidity,pressure\n1,2,3\n");
        assertThatThrownBy(() -> CsvDataset.open(file.toString())).hasMessageContaining("no column 'battery'");
    }

    @Test
    void aMissingFile_isNamed() {
        assertThatThrownBy(() -> CsvDataset.open("/nonexistent/readings.csv"))
                .hasMessage("Data set file not found: /nonexistent/readings.csv");
    }
}
