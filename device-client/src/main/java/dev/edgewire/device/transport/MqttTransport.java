package dev.edgewire.device.transport;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.tls.TlsMaterial;
import io.reactivex.Scheduler;
import io.reactivex.schedulers.Schedulers;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * MQTT 3.1.1 or 5 over mutual TLS with the HiveMQ MQTT client. After the first successful connect,
 * a lost connection is re-established with {@link Backoff}; QoS 1 messages published meanwhile are
 * queued by the client and sent once connected, and with a persistent session the broker keeps
 * what was in flight.
 *
 * <p>TLS runs on BoringSSL when netty-tcnative is on the class path for this platform (Netty's
 * default choice), else on the JDK's TLS. A connection that must offer an ALPN name ({@link AlpnTls},
 * port 443 of AWS IoT Core) always uses the JDK's TLS, which is where that name is added
 * ({@link HiveMqJdkTls}).
 */
public final class MqttTransport implements Transport {
    private static final long CONNECT_TIMEOUT_SECONDS = 20;
    /**
     * Acknowledgement callbacks run on the connection's own I/O thread instead of being handed to a
     * pool: one thread switch less per message. Callers keep them short and never block in them.
     */
    private static final Scheduler CALLBACKS_INLINE = Schedulers.trampoline();

    private final Target target;
    private final String clientId;
    private final MqttSettings settings;
    private final Backoff backoff;
    private final PrintStream log;
    private final Pacer pacer;
    private final AtomicBoolean connectedOnce = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicLong reconnects = new AtomicLong();
    private final MqttSession session;
    /** When the current connection opened (System.nanoTime), for telling a takeover on MQTT 3.1.1. */
    private volatile long connectedAt;
    /** Connections in a row the broker closed within {@link #SHORT_LIVED} of opening. */
    private final java.util.concurrent.atomic.AtomicInteger shortLived = new java.util.concurrent.atomic.AtomicInteger();
    private volatile SessionTakenOverException takenOver;
    private final CompletableFuture<SessionTakenOverException> takeover = new CompletableFuture<>();

    public MqttTransport(Target target, String clientId, TlsMaterial tls, MqttSettings settings, Backoff backoff,
                         PrintStream log) {
        this.target = target;
        this.clientId = clientId;
        this.settings = settings;
        this.backoff = backoff;
        this.log = log;
        this.pacer = target.isAws() ? new Pacer(IotCoreLimits.PUBLISHES_PER_SECOND) : Pacer.unlimited();
        if (target.mqttPort() == 443) {
            // ALPN x-amzn-mqtt-ca: the HiveMQ client exposes no ALPN setting, so the JSSE engines it
            // creates are given the protocol name by AlpnTls.
            AlpnTls.install(target.requireEndpoint(), 443, "x-amzn-mqtt-ca");
        }
        MqttClientSslConfig ssl = MqttClientSslConfig.builder()
                .keyManagerFactory(tls.keyManagers())
                .trustManagerFactory(tls.trustManagers())
                .protocols(List.of("TLSv1.3", "TLSv1.2"))
                .handshakeTimeout(15, TimeUnit.SECONDS)
                .build();
        MqttClientBuilder client = MqttClient.builder()
                .identifier(clientId)
                .serverHost(target.requireEndpoint())
                .serverPort(target.mqttPort())
                .sslConfig(ssl)
                .executorConfig().applicationScheduler(CALLBACKS_INLINE).applyExecutorConfig()
                .addConnectedListener(context -> connectedAt = System.nanoTime())
                .addDisconnectedListener(this::onDisconnected);
        this.session = settings.version() == 5
                ? new Mqtt5Session(client.useMqttVersion5().buildAsync())
                : new Mqtt311Session(client.useMqttVersion3().buildAsync());
        if (AlpnTls.protocolFor(target.requireEndpoint(), target.mqttPort()) != null) {
            HiveMqJdkTls.install(session.clientConfig(), tls);
        }
    }

    /** A connection the broker closes within this long of opening counts toward a takeover on MQTT 3.1.1. */
    static final long SHORT_LIVED_MILLIS = 3_000;
    /** Short-lived connections in a row that mean another client keeps taking the session (MQTT 3.1.1). */
    static final int SHORT_LIVED_IN_A_ROW = 3;

    private void onDisconnected(MqttClientDisconnectedContext context) {
        if (closing.get() || !connectedOnce.get() || context.getSource() == MqttDisconnectSource.USER) {
            return;
        }
        SessionTakenOverException taken = takeover(context);
        if (taken != null) {
            takenOver = taken;
            takeover.complete(taken);
            log.printf("%s: %s%n", clientId, taken.getMessage());
            return;
        }
        if (!settings.reconnect()) {
            return;
        }
        int attempt = context.getReconnector().getAttempts();
        long delay = backoff.delayMillis(attempt);
        reconnects.incrementAndGet();
        if (attempt == 0 || attempt % 5 == 0) {
            log.printf("%s: connection lost (%s); reconnecting in %d ms (attempt %d)%n", clientId,
                    context.getCause() == null ? "no cause" : context.getCause().getMessage(), delay, attempt + 1);
        }
        context.getReconnector().reconnect(true).delay(delay, TimeUnit.MILLISECONDS);
    }

    /** The takeover this disconnect shows, or {@code null}. */
    private SessionTakenOverException takeover(MqttClientDisconnectedContext context) {
        Throwable cause = context.getCause();
        if (cause instanceof Mqtt5DisconnectException disconnect
                && disconnect.getMqttMessage().getReasonCode() == Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER) {
            return new SessionTakenOverException("another client connected with client id " + clientId
                    + " and the broker gave it this session (MQTT 5 DISCONNECT 0x8E, Session taken over). Two clients must "
                    + "not share a client id: stop the other one, or run this one as another thing. Not reconnecting.", cause);
        }
        if (settings.version() == 5 || context.getSource() != MqttDisconnectSource.SERVER || connectedAt == 0) {
            return null;
        }
        // MQTT 3.1.1 has no reason codes: a broker that closes each new connection at once, again and
        // again, is handing the session to another client each time.
        boolean quick = System.nanoTime() - connectedAt < TimeUnit.MILLISECONDS.toNanos(SHORT_LIVED_MILLIS);
        int inARow = quick ? shortLived.incrementAndGet() : 0;
        if (!quick) {
            shortLived.set(0);
        }
        return inARow < SHORT_LIVED_IN_A_ROW ? null : new SessionTakenOverException("the broker closed " + inARow
                + " connections in a row with client id " + clientId + " within " + SHORT_LIVED_MILLIS / 1000
                + " s of opening them: another client is most likely connected with the same client id and takes the "
                + "session each time (MQTT 3.1.1 has no reason code to say so). Stop the other one, or run this one as "
                + "another thing. Not reconnecting.", cause);
    }

    /** Completes when another client takes this session; the client does not reconnect after that. */
    public CompletableFuture<SessionTakenOverException> takeover() {
        return takeover;
    }

    @Override
    public void connect() {
        try {
            session.connect(settings).get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            connectedOnce.set(true);
        } catch (ExecutionException e) {
            throw ConnectFailures.explain(e.getCause(), target, "MQTT", target.mqttPort());
        } catch (TimeoutException e) {
            disconnectQuietly();
            throw ConnectFailures.explain(new TimeoutException("no CONNACK within " + CONNECT_TIMEOUT_SECONDS + " s"),
                    target, "MQTT", target.mqttPort());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportInterruptedException("Interrupted while connecting", e);
        }
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        SessionTakenOverException taken = takenOver;
        if (taken != null) {
            throw taken;
        }
        if (target.isAws()) {
            IotCoreLimits.checkPayload(payload.length);
        }
        pacer.await();
        return session.publish(topic, payload, mqttQos(qos));
    }

    private static MqttQos mqttQos(int qos) {
        return qos == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE;
    }

    /**
     * Subscribes to topic filters; {@code onMessage} gets each arrival's topic and payload text.
     * Fails with {@link SubscribeRefusedException} when the broker refuses a filter, else with
     * {@link NotAcknowledgedException} when no SUBACK comes.
     */
    public void subscribe(List<String> filters, int qos, BiConsumer<String, String> onMessage) {
        for (String filter : filters) {
            try {
                session.subscribe(filter, mqttQos(qos), onMessage).get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                String message = "Subscribe to " + filter + " failed: " + e.getCause().getMessage();
                throw e.getCause() instanceof SubscribeRefusedException
                        ? new SubscribeRefusedException(message, e.getCause())
                        : new NotAcknowledgedException(message, e.getCause());
            } catch (TimeoutException e) {
                throw new NotAcknowledgedException("No SUBACK for " + filter + " within " + CONNECT_TIMEOUT_SECONDS + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportInterruptedException("Interrupted while subscribing", e);
            }
        }
    }

    /** How many times a lost connection was re-established (or is being). */
    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public String protocol() {
        return session.protocol();
    }

    @Override
    public void close() {
        closing.set(true);
        disconnectQuietly();
    }

    private void disconnectQuietly() {
        try {
            session.disconnect().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Already disconnected, or the broker is gone: nothing left to close.
        }
    }
}
