package dev.edgewire.device.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.device.DeviceJson;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/** The {@code seq} numbers of a device among received payloads. */
public final class Seqs {
    private Seqs() {
    }

    public static SortedSet<Long> of(String deviceId, Collection<String> payloads) {
        SortedSet<Long> seqs = new TreeSet<>();
        for (String payload : payloads) {
            try {
                JsonNode reading = DeviceJson.MAPPER.readTree(payload);
                if (reading.path("deviceId").asText().equals(deviceId)) {
                    seqs.add(reading.path("seq").asLong());
                }
            } catch (Exception e) {
                // Not a reading (a plain message); not counted.
            }
        }
        return seqs;
    }

    public static SortedSet<Long> range(long fromInclusive, long toExclusive) {
        SortedSet<Long> seqs = new TreeSet<>();
        for (long s = fromInclusive; s < toExclusive; s++) {
            seqs.add(s);
        }
        return seqs;
    }
}
