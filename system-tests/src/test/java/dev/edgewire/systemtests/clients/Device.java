package dev.edgewire.systemtests.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import dev.edgewire.systemtests.target.Deployment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The device: an MQTT 5 client (HiveMQ's) over TLS with the thing's certificate, at {@code IotEndpoint:MqttPort},
 * keeping every message that arrives on its subscriptions.
 */
public final class Device implements AutoCloseable {

    /** AWS IoT Core takes one CONNECT a second per client id; a faster reconnect is throttled. */
    private static final Duration CONNECT_INTERVAL = Duration.ofMillis(1_100);
    private static final Map<String, Instant> LAST_CONNECT = new ConcurrentHashMap<>();

    private final Mqtt5AsyncClient client;
    private final Duration patience;
    private final List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();

    private Device(Mqtt5AsyncClient client, Duration patience) {
        this.client = client;
        this.patience = patience;
        client.publishes(MqttGlobalPublishFilter.ALL, received::add);
    }

    /** A client with the deployment's device identity and {@code clientId}, not yet connected. */
    public static Device of(Deployment deployment, String clientId) {
        Mqtt5AsyncClient client = Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost(deployment.iotEndpoint())
                .serverPort(deployment.mqttPort())
                .sslConfig(MqttClientSslConfig.builder()
                        .keyManagerFactory(deployment.deviceTls().keyManagers())
                        .trustManagerFactory(deployment.deviceTls().trustManagers())
                        .handshakeTimeout(15, TimeUnit.SECONDS)
                        .build())
                .buildAsync();
        return new Device(client, deployment.patience());
    }

    /** The thing itself, connected with its name as the client id, as the IoT policy requires. */
    public static Device connect(Deployment deployment) throws Exception {
        Device device = of(deployment, deployment.thingName());
        device.connect();
        return device;
    }

    /** Connects with a clean session; fails as the broker refuses (CONNACK reason code, or a closed connection). */
    public void connect() throws Exception {
        String clientId = client.getConfig().getClientIdentifier().map(Object::toString).orElseThrow();
        Instant last = LAST_CONNECT.get(clientId);
        if (last != null) {
            Duration wait = Duration.between(Instant.now(), last.plus(CONNECT_INTERVAL));
            if (!wait.isNegative()) {
                Thread.sleep(wait.toMillis());
            }
        }
        LAST_CONNECT.put(clientId, Instant.now());
        client.connectWith().cleanStart(true).keepAlive(30).send().get(patience.toSeconds(), TimeUnit.SECONDS);
    }

    /** Publishes at QoS 1 and waits for the PUBACK; fails as the broker refuses. */
    public Mqtt5PublishResult publish(String topic, String payload) throws Exception {
        return client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send()
                .get(patience.toSeconds(), TimeUnit.SECONDS);
    }

    /** Subscribes at QoS 1 to each filter and checks that each was granted. */
    public void subscribe(String... filters) throws Exception {
        for (String filter : filters) {
            Mqtt5SubAck ack = client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send()
                    .get(patience.toSeconds(), TimeUnit.SECONDS);
            assertThat(ack.getReasonCodes()).as("SUBACK for %s", filter).allMatch(code -> !code.isError());
        }
    }

    /** The first message on {@code topic} whose payload matches, received before or within the patience. */
    public String awaitMessage(String topic, Predicate<String> matching) {
        await().atMost(patience).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(find(topic, matching))
                .as("a message on %s at the device, which got %s", topic, describe()).isPresent());
        return find(topic, matching).orElseThrow();
    }

    /** Every message received on {@code topic} so far, in order. */
    public List<String> messages(String topic) {
        return received.stream().filter(p -> p.getTopic().toString().equals(topic)).map(Device::text).toList();
    }

    private Optional<String> find(String topic, Predicate<String> matching) {
        return received.stream().filter(p -> p.getTopic().toString().equals(topic)).map(Device::text)
                .filter(matching).findFirst();
    }

    private List<String> describe() {
        return received.stream().map(p -> p.getTopic() + " " + text(p)).toList();
    }

    private static String text(Mqtt5Publish publish) {
        return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    public boolean isConnected() {
        return client.getState().isConnected();
    }

    @Override
    public void close() {
        if (client.getState().isConnected()) {
            try {
                client.disconnect().get(patience.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException closedMeanwhile) {
                // The broker ended the connection first (for one, after a refused publish).
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
