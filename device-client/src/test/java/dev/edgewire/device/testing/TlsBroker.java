package dev.edgewire.device.testing;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ Community Edition, embedded, on a free loopback port: TLS only, client certificate
 * required and checked against the test CA. Records every PUBLISH it receives, so a test can count
 * what reached the broker across broker restarts. Refuses topics under {@link #REFUSED_PREFIX}:
 * subscriptions with a NOT_AUTHORIZED SUBACK, messages with a NOT_AUTHORIZED PUBACK (MQTT 5).
 */
public final class TlsBroker implements AutoCloseable {

    /** Topics and filters the broker refuses. */
    public static final String REFUSED_PREFIX = "forbidden/";

    /** A PUBLISH the broker received. */
    public record Received(String clientId, String topic, String payload) {
    }

    private final int port;
    private final Path config;
    private final Path data;
    private final Path extensions;
    private EmbeddedHiveMQ hivemq;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public TlsBroker(TestPki pki, Path dir) throws Exception {
        this.port = FreePort.pick();
        TestPki.Issued server = pki.server();
        Path keyStore = pki.keyStore(server, "broker-keystore.p12");
        Path trustStore = pki.trustStore("broker-truststore.p12");
        this.config = Files.createDirectories(dir.resolve("broker-conf"));
        this.data = Files.createDirectories(dir.resolve("broker-data"));
        this.extensions = Files.createDirectories(dir.resolve("broker-extensions"));
        Files.writeString(config.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tls-tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                      <tls>
                        <keystore>
                          <path>%s</path>
                          <password>%s</password>
                          <private-key-password>%s</private-key-password>
                        </keystore>
                        <truststore>
                          <path>%s</path>
                          <password>%s</password>
                        </truststore>
                        <client-authentication-mode>REQUIRED</client-authentication-mode>
                      </tls>
                    </tls-tcp-listener>
                  </listeners>
                  <anonymous-usage-statistics>
                    <enabled>false</enabled>
                  </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, keyStore, new String(TestPki.PASSWORD), new String(TestPki.PASSWORD),
                trustStore, new String(TestPki.PASSWORD)));
    }

    /** A fresh broker on the same port, configuration and data folder: what a restart looks like. */
    private EmbeddedHiveMQ build() {
        EmbeddedExtension recorder = EmbeddedExtension.builder()
                .withId("recorder").withName("recorder").withVersion("1").withAuthor("edgewire")
                .withPriority(0).withStartPriority(1000)
                .withExtensionMain(new ExtensionMain() {
                    @Override
                    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
                        Services.initializerRegistry().setClientInitializer((init, client) ->
                                client.addPublishInboundInterceptor((in, out) -> {
                                    if (in.getPublishPacket().getTopic().startsWith(REFUSED_PREFIX)) {
                                        out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "refused by the test broker");
                                        return;
                                    }
                                    ByteBuffer payload = in.getPublishPacket().getPayload().orElse(ByteBuffer.allocate(0));
                                    byte[] bytes = new byte[payload.remaining()];
                                    payload.duplicate().get(bytes);
                                    received.add(new Received(in.getClientInformation().getClientId(),
                                            in.getPublishPacket().getTopic(), new String(bytes, StandardCharsets.UTF_8)));
                                }));
                        Services.securityRegistry().setAuthorizerProvider(provider -> (SubscriptionAuthorizer) (in, out) -> {
                            if (in.getSubscription().getTopicFilter().startsWith(REFUSED_PREFIX)) {
                                out.failAuthorization(SubackReasonCode.NOT_AUTHORIZED);
                            } else {
                                out.authorizeSuccessfully();
                            }
                        });
                    }

                    @Override
                    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
                    }
                })
                .build();
        return EmbeddedHiveMQ.builder()
                .withConfigurationFolder(config)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withEmbeddedExtension(recorder)
                .withoutLoggingBootstrap()
                .build();
    }

    public synchronized TlsBroker start() throws Exception {
        hivemq = build();
        hivemq.start().get(60, TimeUnit.SECONDS);
        return this;
    }

    public synchronized void stop() throws Exception {
        hivemq.close();
        hivemq = null;
    }

    public int port() {
        return port;
    }

    public List<Received> received() {
        return received;
    }

    @Override
    public synchronized void close() throws Exception {
        if (hivemq != null) {
            hivemq.close();
        }
    }
}
