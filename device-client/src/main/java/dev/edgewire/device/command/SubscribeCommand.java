package dev.edgewire.device.command;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.ExitCodes;
import dev.edgewire.device.DeviceJson;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.cloud.TargetOptions;
import dev.edgewire.device.tls.TlsMaterial;
import dev.edgewire.device.transport.Backoff;
import dev.edgewire.device.transport.MqttSettings;
import dev.edgewire.device.transport.MqttTransport;
import dev.edgewire.contract.Topology;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "subscribe", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print every message that arrives on topic filters, one line each (MQTT).")
public final class SubscribeCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = {"-t", "--topic"}, paramLabel = "FILTER",
            description = "Topic filter, repeatable (default: devices/{thingName}/commands and general/outbound).")
    List<String> topics;

    @Option(names = "--qos", defaultValue = "1", description = "0 or 1 (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--mqtt-version", defaultValue = "5", description = "5 or 3 (MQTT 3.1.1) (default: ${DEFAULT-VALUE}).")
    int mqttVersion;

    @Option(names = "--client-id", description = "MQTT client id (default: the thing name; IoT policies usually require it).")
    String clientId;

    @Option(names = "--count", defaultValue = "0", description = "Exit after this many messages; 0 for no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--timeout", converter = DurationConverter.class, paramLabel = "TIME",
            description = "Exit after this long, e.g. 30s (default: run until interrupted).")
    Duration timeout;

    @Option(names = "--json", description = "One JSON object per message: {\"topic\":...,\"payload\":...}.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (qos != 0 && qos != 1) {
            throw DeviceException.usage("--qos must be 0 or 1, not " + qos);
        }
        if (mqttVersion != 3 && mqttVersion != 5) {
            throw DeviceException.usage("--mqtt-version must be 5 or 3, not " + mqttVersion);
        }
        Target resolved = target.resolve();
        List<String> filters = topics != null && !topics.isEmpty() ? topics : List.of(
                resolved.commandsTopic(resolved.thingName()), Topology.Topics.GENERAL_OUTBOUND);
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        MqttSettings settings = new MqttSettings(mqttVersion, false, 0, true, 30);
        try (MqttTransport mqtt = new MqttTransport(resolved, clientId != null ? clientId : resolved.thingName(),
                TlsMaterial.forTarget(resolved), settings, Backoff.standard(), System.err)) {
            mqtt.connect();
            mqtt.subscribe(filters, qos, (topic, payload) -> {
                synchronized (out) {
                    if (json) {
                        out.println(DeviceJson.MAPPER.createObjectNode().put("topic", topic).put("payload", payload));
                    } else {
                        out.println(topic + "\t" + payload);
                    }
                    out.flush();
                }
                if (count > 0 && received.incrementAndGet() >= count) {
                    done.countDown();
                }
            });
            PrintWriter err = spec.commandLine().getErr();
            err.println("subscribed to " + String.join(", ", filters) + " at " + resolved.endpoint() + ":"
                    + resolved.mqttPort());
            err.flush();
            // Another client with this client id ends the wait too: it has the session now.
            mqtt.takeover().thenRun(done::countDown);
            if (timeout != null) {
                done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                done.await();
            }
            if (mqtt.takeover().isDone()) {
                throw mqtt.takeover().join();
            }
        }
        return count > 0 && received.get() < count ? ExitCodes.PENDING : ExitCodes.OK;
    }
}
