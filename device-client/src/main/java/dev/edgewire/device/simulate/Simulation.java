package dev.edgewire.device.simulate;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.dataset.ReadingWriter;
import dev.edgewire.device.outbox.Outbox;
import dev.edgewire.device.outbox.OutboxFullException;
import dev.edgewire.device.transport.Backoff;
import dev.edgewire.device.transport.MqttTransport;
import dev.edgewire.device.transport.PublishRefusedException;
import dev.edgewire.device.transport.SessionTakenOverException;
import dev.edgewire.device.transport.Transport;
import java.io.PrintStream;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a fleet: per device one connection, a producer that stores readings in the {@link Outbox}
 * at the planned rate whatever the network does, and a sender that publishes what the outbox holds
 * (the previous run's leftovers first) and removes each reading once acknowledged. A transient
 * failure puts the reading back in line after a backoff; a refusal leaves it in the outbox.
 */
public final class Simulation {
    /** Most readings stored in one transaction. */
    private static final int MAX_BURST = 256;

    private final SimulationPlan plan;
    private final Function<String, Transport> transports;
    private final Outbox outbox;
    private final Clock clock;
    private final PrintStream progress;
    private final PrintStream log;

    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong resumed = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final LatencyRecorder latencies = new LatencyRecorder();
    private final AtomicBoolean warnedFull = new AtomicBoolean();
    private volatile String firstRefusal;

    /**
     * @param transports builds the (unconnected) transport of a device id
     * @param progress   where a progress line is redrawn once a second, or null for none
     * @param log        where reconnects and refusals are reported
     */
    public Simulation(SimulationPlan plan, Function<String, Transport> transports, Outbox outbox, Clock clock,
                      PrintStream progress, PrintStream log) {
        this.plan = plan;
        this.transports = transports;
        this.outbox = outbox;
        this.clock = clock;
        this.progress = progress;
        this.log = log;
    }

    public Summary run() {
        long start = System.nanoTime();
        List<Transport> connected = new ArrayList<>();
        try {
            for (String deviceId : plan.deviceIds()) {
                Transport transport = transports.apply(deviceId);
                connected.add(transport);
                transport.connect();
            }
        } catch (RuntimeException e) {
            connected.forEach(Transport::close);
            throw e;
        }

        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulation-timers");
            t.setDaemon(true);
            return t;
        });
        if (progress != null) {
            timers.scheduleAtFixedRate(() -> drawProgress(start), 1, 1, TimeUnit.SECONDS);
        }
        List<Future<?>> runs = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < plan.deviceIds().size(); i++) {
                String deviceId = plan.deviceIds().get(i);
                Transport transport = connected.get(i);
                runs.add(threads.submit(() -> new DeviceRun(deviceId, transport, timers).run(start)));
            }
            for (Future<?> run : runs) {
                try {
                    run.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DeviceException(1, "Interrupted");
                }
            }
        } finally {
            timers.shutdownNow();
            connected.forEach(Transport::close);
        }
        if (takenOver != null) {
            // What was not acknowledged stays in the outbox for a run that has the client id to itself.
            throw takenOver;
        }
        if (progress != null) {
            drawProgress(start);
            progress.println();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long pending = plan.deviceIds().stream().mapToLong(id -> outbox.pending(id).size()).sum();
        long reconnects = connected.stream()
                .mapToLong(t -> t instanceof MqttTransport m ? m.reconnects() : 0).sum();
        return new Summary(connected.get(0).protocol(), plan.deviceIds().size(), plan.qos(), generated.get(),
                resumed.get(), sent.get(), acked.get(), failed.get(), retried.get(), refused.get(), pending,
                reconnects, seconds, acked.get() / seconds, latencies.quantileMillis(0.50),
                latencies.quantileMillis(0.99));
    }

    /** The first takeover of a device's session, which stops the whole run. */
    private volatile SessionTakenOverException takenOver;

    /** The first refusal message the target gave, if any. */
    public String firstRefusal() {
        return firstRefusal;
    }

    private void drawProgress(long start) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double fraction = plan.countPerDevice() > 0
                ? (double) (generated.get() + refused.get()) / (plan.countPerDevice() * plan.deviceIds().size())
                : elapsed / Math.max(1e-9, plan.duration().toMillis() / 1000.0);
        fraction = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(fraction * 24);
        progress.printf(Locale.ROOT, "\r[%s%s] %3.0f%% sent %d acked %d failed %d retried %d outbox %d  %.0f msg/s ",
                "#".repeat(filled), ".".repeat(24 - filled), fraction * 100, sent.get(), acked.get(), failed.get(),
                retried.get(), outbox.size(), acked.get() / Math.max(1e-9, elapsed));
        progress.flush();
    }

    private final class DeviceRun {
        private final String deviceId;
        private final Transport transport;
        private final ScheduledExecutorService timers;
        private final String topic;
        private final LinkedBlockingDeque<Queued> queue = new LinkedBlockingDeque<>();
        private final Semaphore inFlight;
        /** Readings taken by this run (or resumed) that are neither acknowledged nor refused yet. */
        private final AtomicInteger outstanding = new AtomicInteger();
        private final Backoff backoff = Backoff.standard();
        /** Used by the producer only. */
        private final ReadingWriter json = new ReadingWriter();
        private volatile boolean producing = true;

        DeviceRun(String deviceId, Transport transport, ScheduledExecutorService timers) {
            this.deviceId = deviceId;
            this.transport = transport;
            this.timers = timers;
            this.topic = plan.topicOverride() != null ? plan.topicOverride()
                    : dev.edgewire.contract.Topology.Topics.forThing(
                            dev.edgewire.contract.Topology.Topics.TELEMETRY_TEMPLATE, deviceId);
            this.inFlight = new Semaphore(plan.maxInFlight());
        }

        void run(long start) {
            for (Outbox.Entry entry : outbox.pending(deviceId)) {
                outstanding.incrementAndGet();
                resumed.incrementAndGet();
                queue.add(new Queued(entry, 0));
            }
            Thread sender = Thread.ofVirtual().name("send-" + deviceId).start(this::send);
            try {
                produce(start);
            } finally {
                producing = false;
            }
            long drainDeadline = System.nanoTime() + plan.drainTimeout().toNanos();
            while (outstanding.get() > 0 && System.nanoTime() < drainDeadline && takenOver == null) {
                sleep(20);
            }
            sender.interrupt();
            try {
                sender.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Stores readings as they fall due at the planned rate. Readings that fell due together (a
         * high rate, or a slow disk) are stored in one transaction, then handed to the sender.
         */
        private void produce(long start) {
            long deadline = plan.countPerDevice() > 0 ? Long.MAX_VALUE : start + plan.duration().toNanos();
            double perNano = plan.ratePerSecond() / 1e9;
            long produced = 0;
            while ((plan.countPerDevice() <= 0 || produced < plan.countPerDevice()) && takenOver == null) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
                long due = (long) ((now - start) * perNano) + 1 - produced;
                if (due <= 0) {
                    long nextAt = start + (long) (produced / perNano);
                    LockSupport.parkNanos(Math.max(1000, nextAt - now));
                    continue;
                }
                int burst = (int) Math.min(MAX_BURST, due);
                if (plan.countPerDevice() > 0) {
                    burst = (int) Math.min(burst, plan.countPerDevice() - produced);
                }
                List<Outbox.Entry> stored = outbox.appendAll(deviceId, topic, burst, seq -> json.write(
                        plan.source().reading(deviceId, seq, clock.instant().truncatedTo(ChronoUnit.MILLIS))));
                produced += burst;
                generated.addAndGet(stored.size());
                outstanding.addAndGet(stored.size());
                stored.forEach(entry -> queue.add(new Queued(entry, 0)));
                if (stored.size() < burst) {
                    refused.addAndGet(burst - stored.size());
                    if (warnedFull.compareAndSet(false, true)) {
                        log.println();
                        log.println(new OutboxFullException(outbox.capacity(), outbox.file()).getMessage());
                    }
                }
            }
        }

        private void send() {
            try {
                while (takenOver == null) {
                    Queued next = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        if (!producing && outstanding.get() == 0) {
                            return;
                        }
                        continue;
                    }
                    inFlight.acquire();
                    sent.incrementAndGet();
                    if (next.retry()) {
                        retried.incrementAndGet();
                    }
                    long sentAt = System.nanoTime();
                    try {
                        transport.publish(next.entry().topic(), next.entry().payload(), plan.qos())
                                .whenComplete((ok, error) -> settle(next, sentAt, error));
                    } catch (RuntimeException e) {
                        settle(next, sentAt, e);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void settle(Queued attempt, long sentAt, Throwable error) {
            inFlight.release();
            Outbox.Entry entry = attempt.entry();
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause == null) {
                latencies.record(System.nanoTime() - sentAt);
                outbox.remove(entry.id());
                acked.incrementAndGet();
                outstanding.decrementAndGet();
            } else if (cause instanceof SessionTakenOverException taken) {
                // Another client has this client id: every device stops, and the reading stays stored.
                if (takenOver == null) {
                    takenOver = taken;
                }
                outstanding.decrementAndGet();
            } else if (cause instanceof PublishRefusedException) {
                failed.incrementAndGet();
                if (firstRefusal == null) {
                    firstRefusal = cause.getMessage();
                    log.println();
                    log.println(deviceId + ": " + cause.getMessage());
                }
                outstanding.decrementAndGet();
            } else {
                // Each reading backs off on its own count, so one outage does not slow every later retry.
                long delay = backoff.delayMillis(attempt.attempt());
                timers.schedule(() -> queue.addFirst(new Queued(entry, attempt.attempt() + 1)), delay,
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private record Queued(Outbox.Entry entry, int attempt) {
        boolean retry() {
            return attempt > 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
