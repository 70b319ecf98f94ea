package dev.edgewire.standins.mqtt;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import dev.edgewire.standins.pki.LocalPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An MQTT broker as IoT Core's device endpoint is to a device: embedded HiveMQ Community Edition with
 * one TLS listener (TLS 1.3 and 1.2) that requires a client certificate signed by the local CA, and
 * IoT Core's 128 KB packet limit. What it allows and what it does with a publish is up to the
 * extension it is given. It can stop and start again on the same port, as a broker restart looks to
 * a device.
 */
public final class TlsMqttBroker implements AutoCloseable {

    /** IoT Core's largest MQTT packet (AWS IoT Core endpoints and quotas: message size 128 KB). */
    public static final int MAX_PACKET_BYTES = 128 * 1024;
    private static final int START_TIMEOUT_SECONDS = 60;
    private static final int STOP_TIMEOUT_SECONDS = 30;

    /** Where sessions and queued messages live: for the broker's lifetime, or on disk across restarts. */
    public enum Persistence { IN_MEMORY, FILE }

    private final Path workDir;
    private final LocalPki pki;
    private final String host;
    private final int port;
    private final Persistence persistence;
    private final String extensionId;
    private final ExtensionMain extension;
    private EmbeddedHiveMQ hivemq;

    /** A broker on {@code host}:{@code port} with its files under {@code workDir}, running {@code extension}. */
    public TlsMqttBroker(Path workDir, LocalPki pki, String host, int port, Persistence persistence,
                         String extensionId, ExtensionMain extension) {
        this.workDir = workDir.toAbsolutePath();
        this.pki = pki;
        this.host = host;
        this.port = port;
        this.persistence = persistence;
        this.extensionId = extensionId;
        this.extension = extension;
    }

    public int port() {
        return port;
    }

    /** Starts the broker and waits until it listens. */
    public synchronized void start() throws IOException, GeneralSecurityException {
        // The broker resolves relative paths against its own home, not the working directory.
        // The config folder holds the stores and their password: owner-only.
        Path config = LocalPki.ownerOnlyDirectory(workDir.resolve("config"));
        Path data = Files.createDirectories(workDir.resolve("data"));
        Path extensions = Files.createDirectories(workDir.resolve("extensions"));
        // Fresh store passwords each start: the stores are derived from the PEM files, never kept in the source.
        String password = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
        Path keyStore = config.resolve("server.p12");
        Path trustStore = config.resolve("ca.p12");
        write(pki.keyStore(pki.server(), password.toCharArray()), keyStore, password);
        write(pki.trustStore(), trustStore, password);
        LocalPki.writeOwnerOnly(config.resolve("config.xml"), configXml(keyStore, trustStore, password));
        hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(config)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withoutLoggingBootstrap()
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId(extensionId)
                        .withName(extensionId)
                        .withVersion("1")
                        .withPriority(1000)
                        .withStartPriority(1000)
                        .withAuthor("edgewire")
                        .withExtensionMain(extension)
                        .build())
                .build();
        try {
            hivemq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close();
            throw new IOException("MQTT broker did not start on " + host + ":" + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while the MQTT broker started", e);
        }
    }

    /** Stops the broker; {@link #start()} starts it again on the same port. */
    @Override
    public synchronized void close() {
        if (hivemq == null) {
            return;
        }
        try {
            hivemq.stop().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            throw new IllegalStateException("MQTT broker on port " + port + " did not stop cleanly: " + e, e);
        } finally {
            hivemq = null;
        }
    }

    private static void write(KeyStore store, Path file, String password) throws IOException, GeneralSecurityException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        store.store(out, password.toCharArray());
        LocalPki.writeOwnerOnly(file, out.toByteArray());
    }

    private String configXml(Path keyStore, Path trustStore, String password) {
        String persistenceMode = persistence == Persistence.IN_MEMORY ? "in-memory" : "file";
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
                      <max-packet-size>%d</max-packet-size>
                    </packets>
                  </mqtt>
                  <persistence>
                    <mode>%s</mode>
                  </persistence>
                  <anonymous-usage-statistics>
                    <enabled>false</enabled>
                  </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, host, keyStore, password, password, trustStore, password, MAX_PACKET_BYTES,
                persistenceMode);
    }
}
