package dev.edgewire.device.dataset;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One reading of the dummy data set, serialised exactly as docs/architecture.md shows it:
 * {@code {"deviceId":"thing-1","seq":42,"ts":"2026-11-29T21:00:00Z","temperature":22.4,"humidity":41.2,"pressure":1012.8,"battery":0.93}}.
 *
 * @param seq counts up per device from 0, across restarts, so loss and duplicates can be counted
 * @param ts  ISO-8601 instant of the reading
 */
@JsonPropertyOrder({"deviceId", "seq", "ts", "temperature", "humidity", "pressure", "battery"})
public record Reading(String deviceId, long seq, String ts, double temperature, double humidity,
                      double pressure, double battery) {
}
