package dev.edgewire.device.dataset;

import dev.edgewire.device.DeviceException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Replays a CSV file of readings: header {@code temperature,humidity,pressure,battery}, one row per
 * reading. Device {@code seq} n gets row {@code n mod rows}, so a device's stream continues where it
 * left off after a restart and wraps around at the end of the file.
 */
public final class CsvDataset implements ReadingSource {
    /** Name by which {@code --dataset} picks the CSV file bundled in the jar. */
    public static final String BUNDLED = "bundled";
    private static final String BUNDLED_RESOURCE = "/dev/edgewire/device/dataset/readings.csv";
    private static final List<String> COLUMNS = List.of("temperature", "humidity", "pressure", "battery");

    private final List<double[]> rows;

    private CsvDataset(List<double[]> rows) {
        this.rows = rows;
    }

    /** Reads {@code file}, or the bundled data set when {@code file} is {@value #BUNDLED}. */
    public static CsvDataset open(String file) {
        if (BUNDLED.equals(file)) {
            InputStream in = CsvDataset.class.getResourceAsStream(BUNDLED_RESOURCE);
            if (in == null) {
                throw new IllegalStateException("bundled data set " + BUNDLED_RESOURCE + " is missing from the jar");
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                return parse(reader, "the bundled data set");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        try (BufferedReader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            return parse(reader, file);
        } catch (NoSuchFileException e) {
            throw DeviceException.usage("Data set file not found: " + file);
        } catch (IOException e) {
            throw DeviceException.usage("Could not read data set " + file + ": " + e.getMessage());
        }
    }

    static CsvDataset parse(BufferedReader reader, String name) throws IOException {
        String header = reader.readLine();
        if (header == null) {
            throw DeviceException.usage("Data set " + name + " is empty; expected a header " + String.join(",", COLUMNS));
        }
        List<String> columns = List.of(header.trim().toLowerCase(Locale.ROOT).split("\\s*,\\s*"));
        int[] index = new int[COLUMNS.size()];
        for (int i = 0; i < COLUMNS.size(); i++) {
            index[i] = columns.indexOf(COLUMNS.get(i));
            if (index[i] < 0) {
                throw DeviceException.usage("Data set " + name + " has no column '" + COLUMNS.get(i)
                        + "'; the header must name " + String.join(",", COLUMNS));
            }
        }
        List<double[]> rows = new ArrayList<>();
        String line;
        int lineNumber = 1;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split(",", -1);
            double[] row = new double[COLUMNS.size()];
            for (int i = 0; i < index.length; i++) {
                try {
                    row[i] = Double.parseDouble(cells[index[i]].trim());
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw DeviceException.usage("Data set " + name + ", line " + lineNumber + ": column "
                            + COLUMNS.get(i) + " is not a number: " + line);
                }
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw DeviceException.usage("Data set " + name + " has a header but no readings");
        }
        return new CsvDataset(List.copyOf(rows));
    }

    public int size() {
        return rows.size();
    }

    @Override
    public Reading reading(String deviceId, long seq, Instant ts) {
        double[] row = rows.get((int) (seq % rows.size()));
        return new Reading(deviceId, seq, ts.toString(), row[0], row[1], row[2], row[3]);
    }
}
