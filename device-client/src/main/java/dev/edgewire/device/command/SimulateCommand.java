package dev.edgewire.device.command;

import dev.edgewire.contract.Outputs;
import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.DeviceJson;
import dev.edgewire.device.dataset.CsvDataset;
import dev.edgewire.device.dataset.ReadingGenerator;
import dev.edgewire.device.dataset.ReadingSource;
import dev.edgewire.device.outbox.Outbox;
import dev.edgewire.device.simulate.Simulation;
import dev.edgewire.device.simulate.SimulationPlan;
import dev.edgewire.device.simulate.Summary;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.cloud.TargetOptions;
import dev.edgewire.device.tls.TlsMaterial;
import dev.edgewire.device.transport.IotCoreLimits;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Simulate a fleet: N devices, each with its own connection, R readings per second each, "
                + "for a count or a duration, from the seeded generator or a CSV data set.",
                "Every reading goes to the durable outbox first and leaves it when acknowledged; "
                        + "a later run sends what an earlier one left."})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Mixin
    TransportOptions transport;

    @Mixin
    OutboxOptions outbox;

    @Option(names = "--devices", defaultValue = "1", paramLabel = "N",
            description = "Devices to simulate (default: ${DEFAULT-VALUE}). One device is the thing itself; "
                    + "more are named PREFIX1..PREFIXN.")
    int devices;

    @Option(names = "--device-prefix", defaultValue = "sim-", description = "Name prefix of simulated devices when --devices > 1 "
            + "(default: ${DEFAULT-VALUE}; against local mode without --device-prefix or --cert-dir, its things, thing-1 onwards).")
    String devicePrefix;

    @Option(names = "--cert-dir", paramLabel = "DIR",
            description = "Folder with DEVICE.cert.pem and DEVICE.private.key per device; a device without them uses --cert/--key.")
    Path certDir;

    @Option(names = "--rate", defaultValue = "1", paramLabel = "R", description = "Readings per second per device (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--count", defaultValue = "10", paramLabel = "N",
            description = "New readings per device; 0 to run for --duration instead (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "TIME",
            description = "How long to produce readings, e.g. 30s or 5m; sets --count to 0.")
    Duration duration;

    @Option(names = "--dataset", paramLabel = "FILE",
            description = "Replay this CSV (columns temperature,humidity,pressure,battery), or 'bundled' for the one in the jar; default: the seeded generator.")
    String dataset;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--topic", description = "Publish here instead of each device's devices/{thingName}/telemetry.")
    String topic;

    @Option(names = "--max-in-flight", defaultValue = "100", paramLabel = "N",
            description = "Unacknowledged messages per MQTT connection (default: ${DEFAULT-VALUE}); HTTPS sends one at a time per connection.")
    int maxInFlight;

    @Option(names = "--drain-timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "After the last reading, wait this long for acknowledgements (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Option(names = "--progress", negatable = true, description = "Redraw a progress line once a second (default: when the terminal is interactive).")
    Boolean progress;

    @Override
    public Integer call() {
        transport.validate();
        java.io.PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        if (devices < 1) {
            throw DeviceException.usage("--devices must be at least 1");
        }
        if (rate <= 0) {
            throw DeviceException.usage("--rate must be above 0");
        }
        Target resolved = target.resolve();
        if (resolved.isAws() && rate > IotCoreLimits.PUBLISHES_PER_SECOND) {
            throw DeviceException.usage("--rate " + rate + " is over AWS IoT Core's limit of "
                    + IotCoreLimits.PUBLISHES_PER_SECOND + " publishes per second per connection; "
                    + "use more --devices at a lower --rate.");
        }
        long perDevice = duration != null ? 0 : count;
        if (perDevice <= 0 && duration == null) {
            throw DeviceException.usage("Give --count above 0 or a --duration.");
        }
        List<String> deviceIds;
        Path fleetCerts = certDir;
        List<String> localThings = localThings();
        if (devices == 1) {
            deviceIds = List.of(resolved.thingName());
        } else if (certDir == null && !spec.commandLine().getParseResult().hasMatchedOption("--device-prefix")
                && !localThings.isEmpty()) {
            // Local mode made certificates for its things: the fleet is the first N of them.
            if (devices > localThings.size()) {
                throw DeviceException.usage("Local mode made certificates for " + localThings.size() + " things ("
                        + String.join(", ", localThings) + "), not " + devices + ". Start it with --thing "
                        + String.join(",", IntStream.rangeClosed(1, devices).mapToObj(i -> "thing-" + i).toList())
                        + " for " + devices + " devices, or give --cert-dir with a certificate for each.");
            }
            deviceIds = localThings.subList(0, devices);
            fleetCerts = Path.of(target.otherOutputs().get(Outputs.THING_CERTIFICATES_DIR));
        } else {
            deviceIds = IntStream.rangeClosed(1, devices).mapToObj(i -> devicePrefix + i).toList();
        }
        Path certs = fleetCerts;
        boolean localLayout = certs != null && certDir == null;
        ReadingSource source = dataset == null ? new ReadingGenerator(seed) : CsvDataset.open(dataset);
        int inFlight = transport.protocol == TransportOptions.Protocol.https ? 1 : Math.max(1, maxInFlight);
        SimulationPlan plan = new SimulationPlan(deviceIds, rate, perDevice, duration, transport.qos, topic, source,
                inFlight, drainTimeout);
        boolean showProgress = progress != null ? progress : System.console() != null && !json;

        String scope = devices == 1 ? deviceIds.getFirst() : deviceIds.getFirst() + "_to_" + deviceIds.getLast();
        try (Outbox box = outbox.open(resolved.requireEndpoint() + ":" + resolved.mqttPort(), scope)) {
            Simulation simulation = new Simulation(plan, id -> transport.open(resolved, id, tlsFor(resolved, id, certs, localLayout), err),
                    box, Clock.systemUTC(), showProgress ? err : null, err);
            Summary summary = simulation.run();
            if (json) {
                out.println(DeviceJson.MAPPER.valueToTree(summary).toString());
            } else {
                out.println(summary.text());
                if (summary.pending() > 0) {
                    out.println(summary.pending() + " reading(s) wait in " + box.file() + "; the next run sends them.");
                }
            }
            out.flush();
            if (summary.failed() > 0) {
                return ExitCodes.REFUSED;
            }
            return summary.pending() > 0 ? ExitCodes.PENDING : ExitCodes.OK;
        }
    }

    /** Local mode's things (its outputs' ThingNames), or none against any other target. */
    private List<String> localThings() {
        String names = target.otherOutputs().get(Outputs.THING_NAMES);
        if (names == null || names.isBlank() || target.otherOutputs().get(Outputs.THING_CERTIFICATES_DIR) == null) {
            return List.of();
        }
        return List.of(names.split(","));
    }

    /**
     * The device's identity: from {@code certs}, as {@code DEVICE.cert.pem} and {@code DEVICE.private.key}
     * (--cert-dir), or in local mode's layout, {@code DEVICE/certificate.pem} and {@code DEVICE/private.key};
     * else the target's own.
     */
    private static TlsMaterial tlsFor(Target resolved, String deviceId, Path certs, boolean localLayout) {
        if (certs != null) {
            Path cert = localLayout ? certs.resolve(deviceId).resolve("certificate.pem") : certs.resolve(deviceId + ".cert.pem");
            Path key = localLayout ? certs.resolve(deviceId).resolve("private.key") : certs.resolve(deviceId + ".private.key");
            if (Files.exists(cert) && Files.exists(key)) {
                return TlsMaterial.forTarget(new Target(resolved.endpoint(), resolved.mqttPort(), resolved.httpsPort(),
                        deviceId, resolved.webSocketUrl(), resolved.caFile(), cert, key, resolved.token(),
                        resolved.certificateId()));
            }
        }
        return TlsMaterial.forTarget(resolved);
    }
}
