package dev.edgewire.benchmarks;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.edgewire.contract.Outputs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 6: memory and CPU of local mode (a child JVM started like the run command) idle, then
 * with many WebSocket clients listening while devices publish at a fixed rate; every reading is
 * demanded at every client, so delivered against demanded shows what one machine keeps up with.
 */
final class ResourceBenchmark {

    record Result(long readyMillis, double idleSeconds, long idleRssMb, double idleCpuPercent, int clients, int devices, int ratePerDevice,
                  double seconds, long sent, long delivered, long messages, long demanded, long maxRssMb, long endRssMb,
                  double loadCpuPercent, long refused) {
    }

    private ResourceBenchmark() {
    }

    static Result run(Path root, int clients, int devices, int ratePerDevice, Duration idle, Duration load) throws Exception {
        List<String> things = new ArrayList<>();
        for (int i = 1; i <= devices; i++) {
            things.add("res-" + i);
        }
        try (LocalModeProcess local = LocalModeProcess.start(root, things)) {
            Thread.sleep(3_000);
            long cpu0 = local.cpuMillis();
            long t0 = System.nanoTime();
            Thread.sleep(idle.toMillis());
            double idleCpu = 100.0 * (local.cpuMillis() - cpu0) / ((System.nanoTime() - t0) / 1e6);
            long idleRss = local.rssMb();

            try (WsFleet fleet = WsFleet.open(i -> local.stage("client-" + i), clients)) {
                List<Mqtt5AsyncClient> devicesClients = local.connectDevices(things);
                Thread.sleep(1_000);
                long receivedBefore = fleet.received();
                long messagesBefore = fleet.messages();
                long cpuBefore = local.cpuMillis();
                long start = System.nanoTime();
                long[] maxRss = {local.rssMb()};
                Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            maxRss[0] = Math.max(maxRss[0], local.rssMb());
                            Thread.sleep(500);
                        }
                    } catch (Exception stop) {
                        // interrupted at the end of the load
                    }
                });
                long sent = new FanOutBenchmark.Driver(devicesClients, things, System.nanoTime())
                        .drive(devices * ratePerDevice, load, false);
                double seconds = (System.nanoTime() - start) / 1e9;
                long cpuAfter = local.cpuMillis();
                sampler.interrupt();
                Thread.sleep(5_000); // envelopes still on their way count as delivered; the queue behind them does not
                long delivered = fleet.received() - receivedBefore;
                long messages = fleet.messages() - messagesBefore;
                long endRss = local.rssMb();
                for (Mqtt5AsyncClient c : devicesClients) {
                    c.disconnect().get(10, TimeUnit.SECONDS);
                }
                return new Result(local.readyMillis(), idle.toMillis() / 1000.0, idleRss, idleCpu, clients, devices, ratePerDevice, seconds, sent,
                        delivered, messages, sent * clients, maxRss[0], endRss, 100.0 * (cpuAfter - cpuBefore) / (seconds * 1000),
                        local.queueDepth(Outputs.FAILED_DELIVERIES_QUEUE_URL));
            }
        }
    }

    static void report(Report report, Result r) {
        double share = r.demanded() == 0 ? 0 : 100.0 * r.delivered() / r.demanded();
        report.headline(new Report.Headline("Local mode under %,d WebSocket clients, %d x %d readings/s".formatted(r.clients(),
                r.devices(), r.ratePerDevice()), "%d MB RSS max, %.0f%% CPU".formatted(r.maxRssMb(), r.loadCpuPercent()),
                "idle: %d MB, %.0f%% CPU".formatted(r.idleRssMb(), r.idleCpuPercent()),
                "%.1f%% of demanded envelopes delivered".formatted(share), "— (no baseline named)", null));
        report.section("""
                ## 6. Local mode memory and CPU under load

                Local mode runs in a child JVM started like `local/bin/edgewire-local` (`-XX:+UseSerialGC`, default heap),
                with a fresh state directory; RSS from `/proc/PID/status`, CPU (user + system) from `/proc/PID/stat`.
                Idle: %.0f s, starting 3 s after the ready line. Load: %,d WebSocket clients on the stage and %d devices
                (MQTT 5, QoS 1) publishing %d readings/s each for %.0f s. Every reading is demanded at every client
                (%,d readings x %,d clients = %,d envelopes). Envelopes that arrived during the load or within 5 s
                after it count as delivered.

                | | idle | under load |
                |---|---|---|
                | RSS | %d MB | max %d MB, %d MB at the end |
                | CPU (100%% = one core; the machine has %d) | %.1f%% | %.0f%% |
                | envelopes delivered of demanded | | %,d of %,d (%.1f%%) |
                | WebSocket messages per client and second (a batch message carries several envelopes) | | %.1f |
                | readings the rules' SQS action refused in all (the failed-deliveries queue's depth, where the error action keeps each) | | %,d |

                Time from process start to the ready line: %,d ms.

                %s
                """.formatted(r.idleSeconds(), r.clients(), r.devices(), r.ratePerDevice(), r.seconds(), r.sent(), r.clients(), r.demanded(),
                r.idleRssMb(), r.maxRssMb(), r.endRssMb(), Runtime.getRuntime().availableProcessors(), r.idleCpuPercent(),
                r.loadCpuPercent(), r.delivered(), r.demanded(), share,
                r.clients() == 0 ? 0 : r.messages() / (double) r.clients() / r.seconds(), r.refused(), r.readyMillis(), verdict(r)));
    }

    private static String verdict(Result r) {
        long demandPerSecond = (long) r.devices() * r.ratePerDevice() * r.clients();
        if (r.delivered() >= r.demanded()) {
            return "Local mode kept up with the demand of %,d posts/s to `@connections`.".formatted(demandPerSecond);
        }
        String shed = r.refused() == 0
                ? "No reading was refused: the rest was still on its way when the measurement ended."
                : "%,d readings were refused at the bounded rule-action queue and kept in the failed-deliveries queue (the "
                        .formatted(r.refused())
                        + "rule's error action on AWS), so memory stays bounded instead of growing with the backlog.";
        return ("Local mode did not keep up: the demand is %,d posts/s to `@connections`, more than one local process "
                + "posts (benchmark 1 measures that rate on this machine). " + shed)
                .formatted(demandPerSecond);
    }
}
