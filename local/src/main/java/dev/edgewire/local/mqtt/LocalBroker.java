package dev.edgewire.local.mqtt;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import dev.edgewire.local.pki.LocalPki;
import dev.edgewire.local.policy.ThingPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stand-in for IoT Core's MQTT side: an embedded HiveMQ Community Edition broker with one
 * TLS listener that requires a client certificate signed by the local CA, and an extension that
 * applies the thing policy (client id = certificate common name; publish and subscribe only where
 * {@link ThingPolicy} allows). Every authorised publish is handed to a {@link MessageListener}, which
 * runs the topic rules.
 */
public final class LocalBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBroker.class);

    /** Sees every publish the policy let through, after authorisation. */
    @FunctionalInterface
    public interface MessageListener {
        void onPublish(String clientId, String topic, byte[] payload);
    }

    private final Path workDir;
    private final LocalPki pki;
    private final String host;
    private final int port;
    private final MessageListener listener;
    private EmbeddedHiveMQ hivemq;

    public LocalBroker(Path workDir, LocalPki pki, String host, int port, MessageListener listener) {
        this.workDir = workDir;
        this.pki = pki;
        this.host = host;
        this.port = port;
        this.listener = listener;
    }

    public int port() {
        return port;
    }

    public void start() throws IOException, GeneralSecurityException, InterruptedException {
        // The broker resolves relative paths against its own home, not the working directory.
        Path config = workDir.toAbsolutePath().resolve("config");
        Path data = workDir.toAbsolutePath().resolve("data");
        Path extensions = workDir.toAbsolutePath().resolve("extensions");
        Files.createDirectories(config);
        Files.createDirectories(data);
        Files.createDirectories(extensions);

        // Fresh store passwords each start: the stores are derived from the PEM files, never the source.
        String password = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
        Path keyStore = config.resolve("server.p12");
        Path trustStore = config.resolve("ca.p12");
        write(pki.keyStore(pki.server(), password.toCharArray()), keyStore, password);
        write(pki.trustStore(), trustStore, password);
        Files.writeString(config.resolve("config.xml"), configXml(keyStore, trustStore, password));

        hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(config)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withoutLoggingBootstrap()
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("edgewire-thing-policy")
                        .withName("edgewire thing policy")
                        .withVersion("1")
                        .withPriority(1000)
                        .withStartPriority(1000)
                        .withAuthor("edgewire")
                        .withExtensionMain(new PolicyExtension())
                        .build())
                .build();
        try {
            hivemq.start().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("MQTT broker did not start on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Publishes as the cloud does (IoT Data Plane {@code Publish}): not subject to a thing's policy. */
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        return Services.publishService().publish(Builders.publish()
                .topic(topic)
                .payload(ByteBuffer.wrap(payload))
                .qos(qos == 0 ? Qos.AT_MOST_ONCE : Qos.AT_LEAST_ONCE)
                .build());
    }

    @Override
    public void close() {
        if (hivemq != null) {
            try {
                hivemq.stop().get(30, TimeUnit.SECONDS);
                hivemq.close();
            } catch (Exception e) {
                LOG.warn("MQTT broker did not stop cleanly: {}", e.toString());
            }
            hivemq = null;
        }
    }

    private static void write(KeyStore store, Path file, String password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
    }

    private String configXml(Path keyStore, Path trustStore, String password) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tls-tcp-listener>
                      <port>%d</port>
                      <bind-address>%s</bind-address>
                      <name>mqtt-tls</name>
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
                        <protocols>
                          <protocol>TLSv1.3</protocol>
                          <protocol>TLSv1.2</protocol>
                        </protocols>
                      </tls>
                    </tls-tcp-listener>
                  </listeners>
                  <mqtt>
                    <packets>
                      <!-- IoT Core's payload limit. -->
                      <max-packet-size>131072</max-packet-size>
                    </packets>
                  </mqtt>
                  <persistence>
                    <!-- Sessions and queues live as long as local mode; devices keep their own outbox. -->
                    <mode>in-memory</mode>
                  </persistence>
                  <anonymous-usage-statistics>
                    <enabled>false</enabled>
                  </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, host, keyStore, password, password, trustStore, password);
    }

    /** Applies {@link ThingPolicy}: the same rules the deployed IoT policy grants. */
    private final class PolicyExtension implements ExtensionMain {
        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.securityRegistry().setAuthenticatorProvider(in -> (SimpleAuthenticator) this::authenticate);
            Authorizer authorizer = new Authorizer();
            Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        }

        private void authenticate(SimpleAuthInput input, SimpleAuthOutput output) {
            String clientId = input.getClientInformation().getClientId();
            var certificate = input.getConnectionInformation().getClientTlsInformation()
                    .flatMap(tls -> tls.getClientCertificate());
            if (certificate.isEmpty()) {
                LOG.warn("refused connect of {}: no client certificate", clientId);
                output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "a client certificate is required");
                return;
            }
            String thing = LocalPki.commonName(certificate.get());
            if (!ThingPolicy.mayConnect(thing, clientId)) {
                LOG.warn("refused connect: client id '{}' is not the certificate's thing name '{}'", clientId, thing);
                output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                        "client id must be the thing name of the certificate (" + thing + ")");
                return;
            }
            output.authenticateSuccessfully();
        }
    }

    private final class Authorizer implements PublishAuthorizer, SubscriptionAuthorizer {
        @Override
        public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
            String thing = input.getClientInformation().getClientId();
            var publish = input.getPublishPacket();
            String topic = publish.getTopic();
            if (!ThingPolicy.mayPublish(thing, topic)) {
                LOG.warn("refused publish of {} to '{}': not in its policy {}", thing, topic,
                        ThingPolicy.publishTopics(thing));
                output.failAuthorization(AckReasonCode.NOT_AUTHORIZED,
                        "not authorized to publish to " + topic);
                return;
            }
            output.authorizeSuccessfully();
            byte[] payload = publish.getPayload().map(LocalBroker::bytes).orElse(new byte[0]);
            listener.onPublish(thing, topic, payload);
        }

        @Override
        public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
            String thing = input.getClientInformation().getClientId();
            String filter = input.getSubscription().getTopicFilter();
            if (!ThingPolicy.maySubscribe(thing, filter)) {
                LOG.warn("refused subscribe of {} to '{}': not in its policy {}", thing, filter,
                        ThingPolicy.subscribeFilters(thing));
                output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not authorized to subscribe to " + filter);
                return;
            }
            output.authorizeSuccessfully();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.asReadOnlyBuffer();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
