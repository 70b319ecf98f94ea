package dev.edgewire.infra;

/**
 * One device to provision: its certificate signing request and the thing it is, which is the
 * CSR's common name.
 *
 * @param thingName the IoT thing; the common name of the CSR
 * @param certificateSigningRequest the device's CSR, PEM
 */
public record DeviceCsr(String thingName, String certificateSigningRequest) {
}
