package dev.edgewire.device.transport;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
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
                .addDisconnectedListener(this::onDisconnected);
        this.session = settings.version() == 5
                ? new Mqtt5Session(client.useMqttVersion5().buildAsync())
                : new Mqtt311Session(client.useMqttVersion3().buildAsync());
        if (AlpnTls.protocolFor(target.requireEndpoint(), target.mqttPort()) != null) {
            HiveMqJdkTls.install(session.clientConfig(), tls);
        }
    }

    private void onDisconnected(MqttClientDisconnectedContext context) {
        if (closing.get() || !settings.reconnect() || !connectedOnce.get()
                || context.getSource() == MqttDisconnectSource.USER) {
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
