package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.local.policy.ObserverPolicy;
import dev.edgewire.standins.mqtt.MqttTestClients;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.local.websocket.WebSocketGateway;
import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.standins.clients.RawFrames;
import dev.edgewire.standins.clients.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Local mode end to end: real clients over real sockets against one running instance. */
class LocalModeIT {

    @TempDir
    static Path state;
    static LocalCloud cloud;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        cloud = LocalCloud.start(LocalConfig.defaults()
                .withStateDir(state)
                .withPorts(0, 0, 0)
                .withThings(List.of("thing-1", "thing-2"))
                .withLimits(new WebSocketGateway.Limits(32 * 1024, 128 * 1024, Duration.ofMinutes(10), Duration.ofHours(2))));
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    static URI stage(String token) {
        return URI.create(cloud.outputs().get("WebSocketUrl") + "/demo?token=" + token);
    }

    @Test
    void aReadingPublishedOverMqtt_reachesAWebSocketClient_asATelemetryEnvelope() throws Exception {
        try (WsClient browser = WsClient.connect(stage(cloud.token()))) {
            awaitConnectionVisibleToFanOut();
            var device = MqttTestClients.client(cloud.mqttPort(), "thing-2", cloud.pki(), cloud.things().get("thing-2"));
            device.connect();
            try {
                device.publishWith().topic("devices/thing-2/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("{\"deviceId\":\"thing-2\",\"seq\":41,\"temperature\":21.5}".getBytes(StandardCharsets.UTF_8))
                        .send();
            } finally {
                device.disconnect();
            }

            JsonNode envelope = JSON.readTree(browser.next("\"seq\":41"));
            assertThat(envelope.get("type").asText()).isEqualTo("telemetry");
            assertThat(envelope.get("deviceId").asText()).isEqualTo("thing-2");
            assertThat(envelope.get("topic").asText()).isEqualTo("devices/thing-2/telemetry");
            assertThat(envelope.get("reading").get("temperature").asDouble()).isEqualTo(21.5);
            assertThat(envelope.get("receivedAt").asLong()).isPositive();
        }
    }

    @Test
    void aReadingPublishedOverHttps_reachesAWebSocketClient_andIsAnsweredAsIotCoreDoes() throws Exception {
        try (WsClient browser = WsClient.connect(stage(cloud.token()))) {
            awaitConnectionVisibleToFanOut();
            HttpResponse<String> response = https(cloud.things().get("thing-1")).send(HttpRequest.newBuilder(
                            URI.create("https://localhost:" + cloud.httpsPort() + "/topics/devices%2Fthing-1%2Ftelemetry?qos=1"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"thing-1\",\"seq\":7,\"humidity\":40.5}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).get("message").asText()).isEqualTo("OK");
            assertThat(JSON.readTree(response.body()).get("traceId").asText()).hasSize(36);
            JsonNode envelope = JSON.readTree(browser.next("\"seq\":7"));
            assertThat(envelope.get("deviceId").asText()).isEqualTo("thing-1");
            assertThat(envelope.get("reading").get("humidity").asDouble()).isEqualTo(40.5);
        }
    }

    @Test
    void sendMessage_reachesEveryWebSocketClient_andTheDevicesOnGeneralOutbound() throws Exception {
        var device = MqttTestClients.client(cloud.mqttPort(), "thing-1", cloud.pki(), cloud.things().get("thing-1"));
        device.connect();
        try (var inbox = device.publishes(MqttGlobalPublishFilter.ALL);
                WsClient alice = WsClient.connect(stage(cloud.token()));
                WsClient bob = WsClient.connect(stage(cloud.token()))) {
            device.subscribeWith().topicFilter("general/outbound").qos(MqttQos.AT_LEAST_ONCE).send();

            alice.send("{\"action\":\"sendMessage\",\"message\":\"hello from terminal2\"}");

            assertThat(JSON.readTree(bob.next("hello from terminal2")).get("type").asText()).isEqualTo("message");
            assertThat(alice.next("hello from terminal2")).contains("\"type\":\"message\"");
            var received = inbox.receive(15, TimeUnit.SECONDS).orElseThrow();
            assertThat(received.getTopic().toString()).isEqualTo("general/outbound");
            assertThat(new String(received.getPayloadAsBytes(), StandardCharsets.UTF_8)).contains("hello from terminal2");
        } finally {
            device.disconnect();
        }
    }

    @Test
    void aMessageLargerThanAFrame_reachesItsSenderInFramesOfAtMost32Kb_andTheConnectionStays() throws Exception {
        try (WsClient alice = WsClient.connect(stage(cloud.token()))) {
            String big = "b".repeat(40_000);
            String sent = "{\"action\":\"sendMessage\",\"message\":\"" + big + "\"}";
            // A 40 KB message is sent, as API Gateway takes it, in frames of at most 32 KB.
            alice.socket().sendText(sent.substring(0, 20_000), false).get(5, TimeUnit.SECONDS);
            alice.socket().sendText(sent.substring(20_000), true).get(5, TimeUnit.SECONDS);

            JsonNode envelope = JSON.readTree(alice.next(big));
            assertThat(envelope.get("message").asText()).isEqualTo(big);
            // Still connected and still in the table: the next message reaches it too.
            alice.send("{\"action\":\"sendMessage\",\"message\":\"after the big one\"}");
            assertThat(alice.next("after the big one")).contains("\"type\":\"message\"");
        }
    }

    @Test
    void aStaleConnectionRow_getsGoneFromTheManagementApi_andIsRemovedByTheNextBroadcast() throws Exception {
        var table = cloud.storeClient();
        String stale = "staleConn0000000";
        table.putItem(b -> b.tableName(LocalCloud.TABLE_NAME).item(Map.of(
                ConnectionTable.PARTITION_KEY, AttributeValue.fromS(stale),
                ConnectionTable.CONNECTED_AT, AttributeValue.fromN(Long.toString(System.currentTimeMillis())),
                ConnectionTable.EXPIRES_AT, AttributeValue.fromN(Long.toString(Instant.now().plusSeconds(7200).getEpochSecond())))));

        try (WsClient alice = WsClient.connect(stage(cloud.token()))) {
            alice.send("{\"action\":\"sendMessage\",\"message\":\"sweep\"}");
            alice.next("sweep");
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> !table.getItem(b -> b.tableName(LocalCloud.TABLE_NAME)
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(stale)))).hasItem());
        try (var management = managementApi()) {
            assertThatThrownBy(() -> management.postToConnection(b -> b.connectionId(stale)
                    .data(SdkBytes.fromUtf8String("x")))).isInstanceOf(GoneException.class);
        }
    }

    @Test
    void aClientThatDropsItsSocketWithoutAClose_isDisconnected_andItsRowDeleted() throws Exception {
        WsClient vanishing = WsClient.connect(stage(cloud.token()));
        String id = connectionIdOf(vanishing);
        assertThat(rowExists(id)).isTrue();

        vanishing.abort();

        await().atMost(Duration.ofSeconds(10)).until(() -> !rowExists(id));
    }

    @Test
    void getConnection_describesTheConnection_throughTheSdk() throws Exception {
        try (WsClient alice = WsClient.connect(stage(cloud.token())); var management = managementApi()) {
            String id = connectionIdOf(alice);
            var info = management.getConnection(b -> b.connectionId(id));

            assertThat(info.identity().sourceIp()).isEqualTo("127.0.0.1");
            assertThat(info.connectedAt()).isBefore(Instant.now().plusSeconds(1));
            assertThat(info.lastActiveAt()).isNotNull();
        }
    }

    @Test
    void deleteConnection_closesTheClient_andLaterPostsGetGone() throws Exception {
        try (WsClient alice = WsClient.connect(stage(cloud.token())); var management = managementApi()) {
            String id = connectionIdOf(alice);

            management.deleteConnection(b -> b.connectionId(id));

            assertThat(alice.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1000);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> management
                    .postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("x"))))
                    .isInstanceOf(GoneException.class));
        }
    }

    @Test
    void theManagementApi_refusesUnsignedRequests() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(cloud.outputs().get("CallbackUrl") + "/@connections/anything"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("ForbiddenException");
    }

    @Test
    void aMessageOver128Kilobytes_closesTheConnectionWith1009() throws Exception {
        try (WsClient alice = WsClient.connect(stage(cloud.token()))) {
            alice.socket().sendText("{\"action\":\"sendMessage\",\"message\":\"" + "x".repeat(130 * 1024) + "\"}", true);

            assertThat(alice.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void aFrameOver32Kilobytes_closesTheConnectionWith1009() throws Exception {
        assertThat(RawFrames.sendSingleFrame(stage(cloud.token()), 33 * 1024)).isEqualTo(1009);
    }

    @Test
    void aMissingToken_isRefusedWith401_andAForgedOneWith403() {
        assertThatThrownBy(() -> WsClient.connect(URI.create(cloud.outputs().get("WebSocketUrl") + "/demo")))
                .satisfies(e -> assertThat(handshakeStatus(e)).isEqualTo(401));
        String forged = cloud.token().substring(0, cloud.token().length() - 4) + "AAAA";
        assertThatThrownBy(() -> WsClient.connect(stage(forged)))
                .satisfies(e -> assertThat(handshakeStatus(e)).isEqualTo(403));
    }

    @Test
    void httpsPublish_withoutACertificate_orToAnotherThingsTopic_isRefused() throws Exception {
        HttpClient anonymous = HttpClient.newBuilder().sslContext(tls(null)).build();
        var noCertificate = anonymous.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + cloud.httpsPort() + "/topics/devices%2Fthing-1%2Ftelemetry"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noCertificate.statusCode()).isEqualTo(403);

        var otherThing = https(cloud.things().get("thing-1")).send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + cloud.httpsPort() + "/topics/devices%2Fthing-2%2Ftelemetry"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(otherThing.statusCode()).isEqualTo(403);
        assertThat(otherThing.body()).contains("not authorized to publish to devices/thing-2/telemetry");
    }

    @Test
    void httpsPublish_withACertificateFromAnotherCa_isRefused() throws Exception {
        HttpClient stranger = HttpClient.newBuilder().sslContext(tls(LocalPki.foreignClient("thing-1"))).build();

        var response = stranger.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + cloud.httpsPort() + "/topics/devices%2Fthing-1%2Ftelemetry"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        // TLS drops a certificate the local CA did not sign, so the request arrives unauthenticated.
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("client certificate signed by the local CA");
    }

    @Test
    void theOutputsFile_hasTheKeysOfCdkDeployOutputs() throws Exception {
        JsonNode outputs = JSON.readTree(cloud.outputsFile().toFile()).get("edgewire-local");

        assertThat(outputs.fieldNames()).toIterable().contains("WebSocketUrl", "CallbackUrl", "IotEndpoint",
                "MqttPort", "HttpsPort", "ThingName", "CertificateId", "TableName", "CaCertificateFile",
                "CertificateFile", "PrivateKeyFile", "DynamoDbEndpoint", "Token");
        assertThat(outputs.get("ThingName").asText()).isEqualTo("thing-1");
        assertThat(Path.of(outputs.get("PrivateKeyFile").asText())).exists();
    }

    @Test
    void theStateFolder_andEveryFileWithASecretInIt_areOwnerOnly() throws Exception {
        Map<String, String> outputs = cloud.outputs();
        assertThat(permissions(state)).isEqualTo("rwx------");
        for (Path secret : List.of(cloud.outputsFile(), Path.of(outputs.get("PrivateKeyFile")),
                Path.of(outputs.get("AwsSharedCredentialsFile")), state.resolve("token.key"),
                state.resolve("broker/config/config.xml"), state.resolve("broker/config/server.p12"))) {
            assertThat(secret).exists();
            assertThat(permissions(secret)).as(secret.toString()).isEqualTo("rw-------");
        }
    }

    @Test
    void theObserver_isNamedInTheOutputs_besideTheThings_withAnOwnerOnlyKey() throws Exception {
        JsonNode outputs = JSON.readTree(cloud.outputsFile().toFile()).get("edgewire-local");

        assertThat(outputs.get("ObserverClientId").asText()).isEqualTo(ObserverPolicy.CLIENT_ID);
        Path certificate = Path.of(outputs.get("ObserverCertificateFile").asText());
        Path key = Path.of(outputs.get("ObserverPrivateKeyFile").asText());
        assertThat(certificate).isEqualTo(cloud.observer().certificateFile().toAbsolutePath())
                .hasParent(Path.of(outputs.get("ThingCertificatesDir").asText()).resolveSibling("observer"));
        assertThat(LocalPki.commonName(cloud.observer().certificate())).isEqualTo(ObserverPolicy.CLIENT_ID);
        assertThat(permissions(key)).isEqualTo("rw-------");
        assertThat(outputs.get("ThingNames").asText().split(",")).doesNotContain(ObserverPolicy.CLIENT_ID);
    }

    @Test
    void theObserver_receivesAThingsTelemetry_overTls_andMayNotPublish() throws Exception {
        var observer = MqttTestClients.client(cloud.mqttPort(), ObserverPolicy.CLIENT_ID, cloud.pki(), cloud.observer());
        observer.connect();
        try (var received = observer.publishes(MqttGlobalPublishFilter.ALL)) {
            observer.subscribeWith().topicFilter("devices/+/telemetry").qos(MqttQos.AT_LEAST_ONCE).send();
            var device = MqttTestClients.client(cloud.mqttPort(), "thing-2", cloud.pki(), cloud.things().get("thing-2"));
            device.connect();
            try {
                device.publishWith().topic("devices/thing-2/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("{\"deviceId\":\"thing-2\",\"seq\":77}".getBytes(StandardCharsets.UTF_8)).send();
            } finally {
                device.disconnect();
            }
            var reading = received.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(reading.getTopic().toString()).isEqualTo("devices/thing-2/telemetry");
            assertThat(new String(reading.getPayloadAsBytes(), StandardCharsets.UTF_8)).contains("\"seq\":77");

            assertThatThrownBy(() -> observer.publishWith().topic("devices/thing-2/commands").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("reboot".getBytes(StandardCharsets.UTF_8)).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                            .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
        } finally {
            try {
                observer.disconnect();
            } catch (com.hivemq.client.mqtt.exceptions.MqttClientStateException alreadyDropped) {
                // the broker may drop a client that breaks its policy, as IoT Core does
            }
        }
    }

    @Test
    void theObserver_mayNotSubscribeToOneDevicesTopic_orToEverything() throws Exception {
        var observer = MqttTestClients.client(cloud.mqttPort(), ObserverPolicy.CLIENT_ID, cloud.pki(), cloud.observer());
        observer.connect();
        try {
            for (String filter : List.of("devices/thing-1/telemetry", "devices/#", "#")) {
                assertThatThrownBy(() -> observer.subscribeWith().topicFilter(filter).send()).as(filter)
                        .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage().getReasonCodes())
                                .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
            }
            observer.subscribeWith().topicFilter("devices/+/commands").send();
        } finally {
            observer.disconnect();
        }
    }

    @Test
    void aThing_mayNotSubscribeToEveryDevicesTelemetry() throws Exception {
        var device = MqttTestClients.client(cloud.mqttPort(), "thing-1", cloud.pki(), cloud.things().get("thing-1"));
        device.connect();
        try {
            assertThatThrownBy(() -> device.subscribeWith().topicFilter("devices/+/telemetry").send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage().getReasonCodes())
                            .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
        } finally {
            device.disconnect();
        }
    }

    @Test
    void theObserversClientId_withoutTheObserversCertificate_isRefused() throws Exception {
        var impostor = MqttTestClients.client(cloud.mqttPort(), ObserverPolicy.CLIENT_ID, cloud.pki(),
                cloud.things().get("thing-1"));
        assertThatThrownBy(impostor::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));

        var stranger = MqttTestClients.client(cloud.mqttPort(), ObserverPolicy.CLIENT_ID, cloud.pki(),
                LocalPki.foreignClient(ObserverPolicy.CLIENT_ID));
        assertThatThrownBy(stranger::connect).isNotInstanceOf(Mqtt5ConnAckException.class);

        var observerAsAThing = MqttTestClients.client(cloud.mqttPort(), "thing-1", cloud.pki(), cloud.observer());
        assertThatThrownBy(observerAsAThing::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    }

    @Test
    void httpsPublish_withTheObserversCertificate_isRefused() throws Exception {
        var response = https(cloud.observer()).send(HttpRequest.newBuilder(URI.create("https://localhost:"
                        + cloud.httpsPort() + "/topics/devices%2F" + ObserverPolicy.CLIENT_ID + "%2Ftelemetry"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
    }

    private static String permissions(Path path) throws java.io.IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(path));
    }

    /** The fan-out reuses its read of connection ids for up to its cache TTL: the staleness bound. */
    private static void awaitConnectionVisibleToFanOut() throws InterruptedException {
        Thread.sleep(1_100);
    }

    private static String connectionIdOf(WsClient client) throws Exception {
        client.send("{\"action\":\"sendMessage\",\"message\":\"who am i " + System.nanoTime() + "\"}");
        return JSON.readTree(client.next("who am i")).get("from").asText();
    }

    private static boolean rowExists(String id) {
        return cloud.storeClient().getItem(b -> b.tableName(LocalCloud.TABLE_NAME)
                .key(Map.of(ConnectionTable.PARTITION_KEY, AttributeValue.fromS(id)))).hasItem();
    }

    private static int handshakeStatus(Throwable e) {
        Throwable t = e;
        while (t != null && !(t instanceof WebSocketHandshakeException)) {
            t = t.getCause();
        }
        assertThat(t).as("handshake refusal in " + e).isNotNull();
        return ((WebSocketHandshakeException) t).getResponse().statusCode();
    }

    private static ApiGatewayManagementApiClient managementApi() {
        return ManagementApi.client(cloud);
    }

    private static HttpClient https(LocalPki.Identity identity) throws Exception {
        return HttpClient.newBuilder().sslContext(tls(identity)).build();
    }

    private static SSLContext tls(LocalPki.Identity identity) throws Exception {
        return cloud.pki().clientContext(identity);
    }
}
