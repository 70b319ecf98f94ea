package dev.edgewire.device.dataset;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgewire.device.DeviceJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes readings as the same JSON bytes {@link Json#MAPPER} gives for a {@link Reading}, through one
 * reused streaming generator: a producer storing thousands of readings a second then builds no
 * serializer context and no buffers per reading. One writer per thread; it is not thread safe.
 */
public final class ReadingWriter {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private final JsonGenerator json;

    public ReadingWriter() {
        try {
            json = DeviceJson.MAPPER.getFactory().createGenerator(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        json.setRootValueSeparator(null);
    }

    /** The reading's JSON, fields in {@link Reading}'s order. */
    public byte[] write(Reading reading) {
        buffer.reset();
        try {
            json.writeStartObject();
            json.writeStringField("deviceId", reading.deviceId());
            json.writeNumberField("seq", reading.seq());
            json.writeStringField("ts", reading.ts());
            json.writeNumberField("temperature", reading.temperature());
            json.writeNumberField("humidity", reading.humidity());
            json.writeNumberField("pressure", reading.pressure());
            json.writeNumberField("battery", reading.battery());
            json.writeEndObject();
            json.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }
}
