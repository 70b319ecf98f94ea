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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
                    + "more are the first N things of the outputs file (ThingNames), or PREFIX1..PREFIXN.")
    int devices;

    @Option(names = "--device-prefix", defaultValue = "sim-", description = "Name prefix of simulated devices when --devices > 1 "
            + "(default: ${DEFAULT-VALUE}; when the outputs file lists things and --device-prefix is not given, those things).")
    String devicePrefix;

    @Option(names = "--cert-dir", paramLabel = "DIR",
            description = "Folder with DEVICE.cert.pem and DEVICE.private.key per device (keys create --devices N --dir DIR, "
                    + "keys fetch-certificate --all --dir DIR); for the things of the outputs file each must be there, "
                    + "else a device without them uses --cert/--key.")
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
        Fleet fleet = Fleet.choose(devices, resolved.thingName(),
                spec.commandLine().getParseResult().hasMatchedOption("--device-prefix") ? devicePrefix : null,
                devicePrefix, certDir, target.otherOutputs());
        List<String> deviceIds = fleet.deviceIds();
        Path certs = fleet.certs();
        boolean localLayout = fleet.localLayout();
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

    /**
     * Which devices to simulate and where their identities are.
     *
     * @param deviceIds   one per device: its thing name and MQTT client id
     * @param certs       the folder of their certificates and keys, or null for the target's own
     * @param localLayout whether {@code certs} is local mode's ({@code DEVICE/certificate.pem}) or
     *                    {@code --cert-dir}'s ({@code DEVICE.cert.pem})
     */
    record Fleet(List<String> deviceIds, Path certs, boolean localLayout) {

        /**
         * One device is the target's thing. More are, unless a prefix is given, the first N things
         * the outputs file lists ({@code ThingNames}: a deployed fleet, or local mode's things), with
         * the certificates of {@code certDir}, else local mode's; with a prefix, PREFIX1..PREFIXN.
         *
         * @param prefixGiven the --device-prefix the user gave, or null
         */
        static Fleet choose(int devices, String thingName, String prefixGiven, String defaultPrefix, Path certDir,
                            Map<String, String> outputs) {
            if (devices == 1) {
                return new Fleet(List.of(thingName), certDir, false);
            }
            String names = outputs.get(Outputs.THING_NAMES);
            List<String> things = names == null || names.isBlank() ? List.of()
                    : Arrays.stream(names.split(",")).map(String::trim).toList();
            String localCerts = outputs.get(Outputs.THING_CERTIFICATES_DIR);
            if (prefixGiven != null || things.isEmpty()) {
                String prefix = prefixGiven != null ? prefixGiven : defaultPrefix;
                return new Fleet(IntStream.rangeClosed(1, devices).mapToObj(i -> prefix + i).toList(), certDir, false);
            }
            if (devices > things.size()) {
                throw DeviceException.usage(localCerts != null
                        ? "Local mode made certificates for " + things.size() + " things (" + String.join(", ", things)
                                + "), not " + devices + ". Start it with --thing "
                                + String.join(",", IntStream.rangeClosed(1, devices).mapToObj(i -> "thing-" + i).toList())
                                + " for " + devices + " devices, or give --device-prefix and --cert-dir with a certificate for each."
                        : "The deployment has " + things.size() + " things (" + String.join(", ", things) + "), not "
                                + devices + ". Deploy more: keys create --devices " + devices + " --dir DIR, then "
                                + "cdk deploy --all --context csrDir=DIR.");
            }
            List<String> chosen = things.subList(0, devices);
            if (certDir != null) {
                List<String> missing = new ArrayList<>();
                for (String thing : chosen) {
                    for (Path file : List.of(certificateFile(certDir, thing), privateKeyFile(certDir, thing))) {
                        if (!Files.isRegularFile(file)) {
                            missing.add(file.toString());
                        }
                    }
                }
                if (!missing.isEmpty()) {
                    throw DeviceException.usage("--cert-dir " + certDir + " lacks what " + devices + " devices need: "
                            + String.join(", ", missing) + ". The keys come from keys create --devices N --dir "
                            + certDir + "; the certificates, after cdk deploy, from keys fetch-certificate --outputs "
                            + "cdk-outputs.json --all --dir " + certDir + ".");
                }
                return new Fleet(chosen, certDir, false);
            }
            if (localCerts != null) {
                // Local mode made certificates for its things: the fleet is the first N of them.
                return new Fleet(chosen, Path.of(localCerts), true);
            }
            throw DeviceException.usage("Each of the " + devices + " things needs its own key and certificate: give "
                    + "--cert-dir DIR with THING.private.key (keys create --devices N --dir DIR) and THING.cert.pem "
                    + "(keys fetch-certificate --outputs cdk-outputs.json --all --dir DIR) for each.");
        }

        static Path certificateFile(Path certDir, String deviceId) {
            return certDir.resolve(deviceId + KeysCommand.CERTIFICATE_SUFFIX);
        }

        static Path privateKeyFile(Path certDir, String deviceId) {
            return certDir.resolve(deviceId + KeysCommand.PRIVATE_KEY_SUFFIX);
        }
    }

    /**
     * The device's identity: from {@code certs}, as {@code DEVICE.cert.pem} and {@code DEVICE.private.key}
     * (--cert-dir), or in local mode's layout, {@code DEVICE/certificate.pem} and {@code DEVICE/private.key};
     * else the target's own.
     */
    static TlsMaterial tlsFor(Target resolved, String deviceId, Path certs, boolean localLayout) {
        if (certs != null) {
            Path cert = localLayout ? certs.resolve(deviceId).resolve("certificate.pem") : Fleet.certificateFile(certs, deviceId);
            Path key = localLayout ? certs.resolve(deviceId).resolve("private.key") : Fleet.privateKeyFile(certs, deviceId);
            if (Files.exists(cert) && Files.exists(key)) {
                return TlsMaterial.forTarget(new Target(resolved.endpoint(), resolved.mqttPort(), resolved.httpsPort(),
                        deviceId, resolved.webSocketUrl(), resolved.caFile(), cert, key, resolved.token(),
                        resolved.certificateId()));
            }
        }
        return TlsMaterial.forTarget(resolved);
    }
}
