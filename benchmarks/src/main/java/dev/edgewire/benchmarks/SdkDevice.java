package dev.edgewire.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.crt.mqtt5.Mqtt5Client;
import software.amazon.awssdk.crt.mqtt5.Mqtt5ClientOptions;
import software.amazon.awssdk.crt.mqtt5.OnAttemptingConnectReturn;
import software.amazon.awssdk.crt.mqtt5.OnConnectionFailureReturn;
import software.amazon.awssdk.crt.mqtt5.OnConnectionSuccessReturn;
import software.amazon.awssdk.crt.mqtt5.OnDisconnectionReturn;
import software.amazon.awssdk.crt.mqtt5.OnStoppedReturn;
import software.amazon.awssdk.crt.mqtt5.QOS;
import software.amazon.awssdk.crt.mqtt5.packets.ConnectPacket;
import software.amazon.awssdk.crt.mqtt5.packets.PubAckPacket;
import software.amazon.awssdk.crt.mqtt5.packets.PublishPacket;
import software.amazon.awssdk.iot.AwsIotMqtt5ClientBuilder;

/**
 * One device on the AWS IoT Device SDK for Java v2: its MQTT 5 client ({@link Mqtt5Client}, on the
 * AWS Common Runtime's native TLS and event loop), built as the SDK's {@code Mqtt5X509} sample builds
 * it, with mutual TLS from PEM files. It publishes readings at QoS 1 with a bound on those in flight,
 * the way the device client does, and counts the PUBACKs that accept them.
 *
 * <p>{@link #main} is the whole process the benchmark times against {@code edgewire-device simulate}:
 * it reads one reading per line from a file, as {@code mosquitto_pub -l} reads standard input, and
 * prints a JSON summary. Against a broker other than AWS IoT Core it runs without the SDK's IoT Core
 * flow control, as the device client does.
 */
public final class SdkDevice implements AutoCloseable {

    private static final long CONNECT_TIMEOUT_SECONDS = 20;

    private final Mqtt5Client client;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /** What one run of {@link #publishAll} got: PUBACKs with a success code, failures, and its duration. */
    public record Run(long acked, long failed, long nanos) {
        public double ratePerSecond() {
            return acked / (nanos / 1e9);
        }
    }

    private SdkDevice(String host, int port, Path ca, Path cert, Path key, String clientId, boolean iotCoreLimits) {
        try (AwsIotMqtt5ClientBuilder builder = AwsIotMqtt5ClientBuilder.newDirectMqttBuilderWithMtlsFromPath(host,
                cert.toString(), key.toString())) {
            builder.withPort((long) port)
                    // The builder's default paces publishes to AWS IoT Core's 100 a second per connection (and checks
                    // its other limits); the device client paces only toward *.amazonaws.com, so against another broker
                    // both run unpaced unless asked.
                    .withExtendedValidationAndFlowControlOptions(iotCoreLimits
                            ? Mqtt5ClientOptions.ExtendedValidationAndFlowControlOptions.AWS_IOT_CORE_DEFAULTS
                            : Mqtt5ClientOptions.ExtendedValidationAndFlowControlOptions.NONE)
                    .withCertificateAuthorityFromPath(null, ca.toString())
                    .withConnectProperties(new ConnectPacket.ConnectPacketBuilder().withClientId(clientId).withKeepAliveIntervalSeconds(30L))
                    .withLifeCycleEvents(new Mqtt5ClientOptions.LifecycleEvents() {
                        @Override
                        public void onAttemptingConnect(Mqtt5Client c, OnAttemptingConnectReturn r) {
                        }

                        @Override
                        public void onConnectionSuccess(Mqtt5Client c, OnConnectionSuccessReturn r) {
                            connected.complete(null);
                        }

                        @Override
                        public void onConnectionFailure(Mqtt5Client c, OnConnectionFailureReturn r) {
                            connected.completeExceptionally(new IllegalStateException("connect failed: error code "
                                    + r.getErrorCode() + (r.getConnAckPacket() == null ? "" : ", CONNACK "
                                    + r.getConnAckPacket().getReasonCode())));
                        }

                        @Override
                        public void onDisconnection(Mqtt5Client c, OnDisconnectionReturn r) {
                        }

                        @Override
                        public void onStopped(Mqtt5Client c, OnStoppedReturn r) {
                            stopped.complete(null);
                        }
                    });
            client = builder.build();
        }
    }

    /**
     * Connects as {@code clientId} with the certificate and key of that thing, trusting {@code ca}.
     *
     * @param iotCoreLimits keep the builder's AWS IoT Core flow control (at most 100 publishes a second), else none
     */
    public static SdkDevice connect(String host, int port, Path ca, Path cert, Path key, String clientId,
                                    boolean iotCoreLimits) throws Exception {
        SdkDevice device = new SdkDevice(host, port, ca, cert, key, clientId, iotCoreLimits);
        device.client.start();
        try {
            device.connected.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            device.close();
            throw e;
        }
        return device;
    }

    /**
     * Publishes every payload to {@code topic} at QoS 1, at most {@code maxInFlight} unacknowledged at
     * a time, and returns once each has its PUBACK (or failed).
     */
    public Run publishAll(String topic, List<byte[]> payloads, int maxInFlight) throws InterruptedException {
        Semaphore inFlight = new Semaphore(maxInFlight);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long t0 = System.nanoTime();
        for (byte[] payload : payloads) {
            inFlight.acquire();
            PublishPacket packet = new PublishPacket.PublishPacketBuilder().withTopic(topic).withQOS(QOS.AT_LEAST_ONCE)
                    .withPayload(payload).build();
            client.publish(packet).whenComplete((result, error) -> {
                PubAckPacket ack = error == null ? result.getResultPubAck() : null;
                if (ack != null && ack.getReasonCode().getValue() < 0x80) {
                    acked.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, error != null ? error
                            : new IllegalStateException("PUBACK " + (ack == null ? "missing" : ack.getReasonCode())));
                }
                inFlight.release();
            });
        }
        inFlight.acquire(maxInFlight); // every publish has settled
        inFlight.release(maxInFlight);
        long nanos = System.nanoTime() - t0;
        if (firstFailure.get() != null) {
            throw new IllegalStateException(failed.get() + " of " + payloads.size() + " publishes failed", firstFailure.get());
        }
        return new Run(acked.get(), failed.get(), nanos);
    }

    @Override
    public void close() {
        try {
            client.stop();
            stopped.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Already stopped, or the broker is gone: nothing left to close.
        } finally {
            client.close();
        }
    }

    /**
     * {@code SdkDevice HOST PORT CA CERT KEY CLIENT_ID TOPIC READINGS_FILE MAX_IN_FLIGHT}: publishes
     * every line of the file and prints {@code {"acked":N,"failed":N,"seconds":S,"ratePerSecond":R}}, where
     * the rate runs from the first connect to the last PUBACK. Exits 1 unless every line was acknowledged.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: SdkDevice HOST PORT CA CERT KEY CLIENT_ID TOPIC READINGS_FILE MAX_IN_FLIGHT");
            System.exit(2);
        }
        List<byte[]> payloads = Files.readAllLines(Path.of(args[7]), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isEmpty()).map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
        long t0 = System.nanoTime();
        Run run;
        try (SdkDevice device = connect(args[0], Integer.parseInt(args[1]), Path.of(args[2]), Path.of(args[3]),
                Path.of(args[4]), args[5], false)) {
            run = device.publishAll(args[6], payloads, Integer.parseInt(args[8]));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(String.format(Locale.ROOT, "{\"acked\":%d,\"failed\":%d,\"seconds\":%.3f,\"ratePerSecond\":%.1f}",
                run.acked(), run.failed(), seconds, run.acked() / seconds));
        System.exit(run.acked() == payloads.size() ? 0 : 1);
    }
}
