package dev.edgewire.device;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one configured {@link ObjectMapper} of the device client (the Lambda functions have their own, {@code dev.edgewire.runtime.Json}, which reads numbers exactly). */
public final class DeviceJson {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private DeviceJson() {
    }
}
