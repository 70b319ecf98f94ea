package dev.edgewire.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.edgewire.contract.Outputs;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.local.LocalConfig;
import dev.edgewire.standins.clients.WsClient;
import dev.edgewire.standins.mqtt.MqttTestClients;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/**
 * Local mode as an AWS endpoint for clients no one here wrote: the AWS SDK for Java v2, boto3 and the
 * AWS CLI call {@code @connections} (GET, POST, DELETE, and GET again: 410) and IoT Data
 * {@code Publish}, each configured the usual way: with local mode's own key through the profile the
 * outputs name (verified), and with an arbitrary key in the environment and another region
 * (accepted in due form). A wrong secret for local mode's key is refused. boto3 and the CLI are
 * skipped where they are not installed, except in CI.
 */
class AwsClientsIT {

    @TempDir
    static Path state;
    @TempDir
    static Path work;
    static LocalCloud cloud;
    static Mqtt5BlockingClient device;
    static Mqtt5BlockingClient.Mqtt5Publishes outbound;
    static final ObjectMapper JSON = new ObjectMapper();

    enum Client { JAVA_SDK, BOTO3, AWS_CLI }

    enum Key {
        /** Local mode's key, through the profile in the outputs: verified. */
        LOCAL,
        /** Any other key, in the environment, with another region: accepted in due form. */
        ARBITRARY,
        /** Local mode's key id with a wrong secret: refused. */
        WRONG_SECRET
    }

    /** What a call answered: 2xx with its body, or the error code and status. */
    record Answer(int status, String errorCode, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        cloud = LocalCloud.start(LocalConfig.defaults().withStateDir(state).withPorts(0, 0, 0)
                .withThings(List.of("thing-1", "thing-2")));
        device = MqttTestClients.client(cloud.mqttPort(), "thing-2", cloud.pki(), cloud.things().get("thing-2"));
        device.connect();
        outbound = device.publishes(MqttGlobalPublishFilter.SUBSCRIBED);
        device.subscribeWith().topicFilter("general/outbound").qos(MqttQos.AT_LEAST_ONCE).send();
        try (InputStream script = AwsClientsIT.class.getResourceAsStream("/aws_call.py")) {
            Files.write(work.resolve("aws_call.py"), script.readAllBytes());
        }
    }

    @AfterAll
    static void stop() {
        if (outbound != null) {
            outbound.close();
        }
        if (device != null && device.getState().isConnected()) {
            device.disconnect();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    static Stream<Arguments> clientsAndKeys() {
        List<Arguments> all = new ArrayList<>();
        for (Client client : Client.values()) {
            for (Key key : List.of(Key.LOCAL, Key.ARBITRARY)) {
                all.add(Arguments.of(client, key));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} with {1} key")
    @MethodSource("clientsAndKeys")
    void connectionsApi_andIotDataPublish_workAsOnAws(Client client, Key key) throws Exception {
        assumeInstalled(client);
        String tag = client + "-" + key;
        try (WsClient watcher = WsClient.connect(stage())) {
            String id = connectionIdOf(watcher);

            Answer described = call(client, key, "get_connection", Map.of("ConnectionId", id));
            assertThat(described.ok()).as("GET %s", described).isTrue();
            assertThat(JSON.readTree(described.body()).path("ConnectedAt").isMissingNode()).as(described.body()).isFalse();

            Answer posted = call(client, key, "post_to_connection", Map.of("ConnectionId", id, "Data", "{\"to\":\"" + tag + "\"}"));
            assertThat(posted.ok()).as("POST %s", posted).isTrue();
            assertThat(watcher.next(tag)).isEqualTo("{\"to\":\"" + tag + "\"}");

            Answer published = call(client, key, "publish", Map.of("topic", "general/outbound", "qos", 1,
                    "payload", "{\"from\":\"" + tag + "\"}"));
            assertThat(published.ok()).as("Publish %s", published).isTrue();
            assertThat(awaitOutbound(tag)).as("the device got the publish").isTrue();

            Answer deleted = call(client, key, "delete_connection", Map.of("ConnectionId", id));
            assertThat(deleted.ok()).as("DELETE %s", deleted).isTrue();
            assertThat(watcher.closeCode().get(10, TimeUnit.SECONDS)).isNotNull();

            Answer gone = call(client, key, "get_connection", Map.of("ConnectionId", id));
            assertThat(gone.status()).as("GET after DELETE %s", gone).isEqualTo(410);
            assertThat(gone.errorCode()).isEqualTo("GoneException");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void localModesKey_withAWrongSecret_isRefused(Client client) throws Exception {
        assumeInstalled(client);

        Answer refused = call(client, Key.WRONG_SECRET, "get_connection", Map.of("ConnectionId", "any"));
        Answer refusedPublish = call(client, Key.WRONG_SECRET, "publish", Map.of("topic", "general/outbound", "qos", 1,
                "payload", "{}"));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("InvalidSignatureException");
        assertThat(refusedPublish.status()).as(refusedPublish.toString()).isEqualTo(403);
    }

    static Stream<Client> clients() {
        return Stream.of(Client.values());
    }

    // --- the clients ------------------------------------------------------------------------

    private static Answer call(Client client, Key key, String operation, Map<String, Object> arguments) throws Exception {
        return switch (client) {
            case JAVA_SDK -> javaSdk(key, operation, arguments);
            case BOTO3 -> process(key, List.of("python3", work.resolve("aws_call.py").toString(), operation,
                    endpoint(operation), JSON.writeValueAsString(arguments), ca()));
            case AWS_CLI -> process(key, cli(operation, arguments));
        };
    }

    private static Answer javaSdk(Key key, String operation, Map<String, Object> arguments) {
        var credentials = switch (key) {
            case LOCAL -> ProfileCredentialsProvider.builder().profileName(output(Outputs.AWS_PROFILE))
                    .profileFile(ProfileFile.builder().type(ProfileFile.Type.CREDENTIALS)
                            .content(Path.of(output(Outputs.AWS_SHARED_CREDENTIALS_FILE))).build()).build();
            case ARBITRARY -> StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "any-secret"));
            case WRONG_SECRET -> StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    LocalCloud.CREDENTIALS.accessKeyId(), "not-the-secret"));
        };
        Region region = key == Key.ARBITRARY ? Region.EU_WEST_1 : Region.US_EAST_1;
        try {
            if (operation.equals("publish")) {
                try (IotDataPlaneClient iot = IotDataPlaneClient.builder().region(region).credentialsProvider(credentials)
                        .endpointOverride(URI.create(endpoint(operation)))
                        .httpClient(UrlConnectionHttpClient.builder().tlsTrustManagersProvider(() -> trustManagers()).build())
                        .build()) {
                    iot.publish(b -> b.topic((String) arguments.get("topic")).qos((Integer) arguments.get("qos"))
                            .payload(SdkBytes.fromUtf8String((String) arguments.get("payload"))));
                    return new Answer(200, null, "{}");
                }
            }
            try (ApiGatewayManagementApiClient api = ApiGatewayManagementApiClient.builder().region(region)
                    .credentialsProvider(credentials).endpointOverride(URI.create(endpoint(operation)))
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                String id = (String) arguments.get("ConnectionId");
                return switch (operation) {
                    case "get_connection" -> new Answer(200, null, JSON.writeValueAsString(Map.of("ConnectedAt",
                            api.getConnection(b -> b.connectionId(id)).connectedAt().toString())));
                    case "post_to_connection" -> {
                        api.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String((String) arguments.get("Data"))));
                        yield new Answer(200, null, "{}");
                    }
                    case "delete_connection" -> {
                        api.deleteConnection(b -> b.connectionId(id));
                        yield new Answer(204, null, "");
                    }
                    default -> throw new IllegalArgumentException(operation);
                };
            }
        } catch (AwsServiceException e) {
            return new Answer(e.statusCode(), e.awsErrorDetails().errorCode(), e.getMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> cli(String operation, Map<String, Object> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", endpoint(operation), "--output", "json"));
        String id = (String) arguments.get("ConnectionId");
        switch (operation) {
            case "get_connection" -> command.addAll(List.of("apigatewaymanagementapi", "get-connection", "--connection-id", id));
            case "delete_connection" -> command.addAll(List.of("apigatewaymanagementapi", "delete-connection", "--connection-id", id));
            case "post_to_connection" -> command.addAll(List.of("apigatewaymanagementapi", "post-to-connection",
                    "--connection-id", id, "--data", "fileb://" + file((String) arguments.get("Data"))));
            case "publish" -> command.addAll(List.of("--ca-bundle", ca(), "iot-data", "publish", "--topic",
                    (String) arguments.get("topic"), "--qos", String.valueOf(arguments.get("qos")),
                    "--payload", "fileb://" + file((String) arguments.get("payload"))));
            default -> throw new IllegalArgumentException(operation);
        }
        return command;
    }

    /** Runs a client in a clean environment: only the key the case names, as its users would set it. */
    private static Answer process(Key key, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_"));
        switch (key) {
            case LOCAL -> {
                env.put("AWS_SHARED_CREDENTIALS_FILE", output(Outputs.AWS_SHARED_CREDENTIALS_FILE));
                env.put("AWS_CONFIG_FILE", output(Outputs.AWS_CONFIG_FILE));
                env.put("AWS_PROFILE", output(Outputs.AWS_PROFILE));
            }
            case ARBITRARY -> {
                env.put("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
                env.put("AWS_SECRET_ACCESS_KEY", "any-secret");
                env.put("AWS_DEFAULT_REGION", "eu-west-1");
            }
            case WRONG_SECRET -> {
                env.put("AWS_ACCESS_KEY_ID", LocalCloud.CREDENTIALS.accessKeyId());
                env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
                env.put("AWS_DEFAULT_REGION", "us-east-1");
            }
        }
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        Process p = pb.redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() == 0) {
            return new Answer(200, null, out.isEmpty() ? "{}" : out);
        }
        if (command.getFirst().equals("python3")) {
            JsonNode error = JSON.readTree(out);
            return new Answer(error.path("status").asInt(), error.path("error").asText(), out);
        }
        // The CLI: "An error occurred (GoneException) when calling the GetConnection operation: ..."
        var m = java.util.regex.Pattern.compile("An error occurred \\(([^)]+)\\)").matcher(err);
        String code = m.find() ? m.group(1) : err;
        int status = switch (code) {
            case "GoneException" -> 410;
            case "InvalidSignatureException", "ForbiddenException", "403" -> 403;
            default -> 0;
        };
        return new Answer(status, code, err);
    }

    // --- helpers ------------------------------------------------------------------------------

    private static void assumeInstalled(Client client) throws Exception {
        if (client == Client.JAVA_SDK) {
            return;
        }
        List<String> probe = client == Client.BOTO3 ? List.of("python3", "-c", "import boto3") : List.of("aws", "--version");
        boolean installed;
        try {
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            installed = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            installed = false;
        }
        if (System.getenv("CI") == null) {
            assumeTrue(installed, client + " is not installed (python3-boto3, awscli)");
        }
        assertThat(installed).as("CI installs boto3 and the AWS CLI").isTrue();
    }

    /** Whether a publish containing {@code text} reaches the device on general/outbound (sendMessage's land there too). */
    private static boolean awaitOutbound(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<Mqtt5Publish> received = outbound.receive(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (received.isPresent() && new String(received.get().getPayloadAsBytes(), StandardCharsets.UTF_8).contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String endpoint(String operation) {
        return operation.equals("publish") ? "https://localhost:" + cloud.httpsPort() : output(Outputs.CALLBACK_URL);
    }

    private static String ca() {
        return output(Outputs.CA_CERTIFICATE_FILE);
    }

    private static javax.net.ssl.TrustManager[] trustManagers() {
        try {
            return cloud.pki().trustManagers().getTrustManagers();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String output(String key) {
        return cloud.outputs().get(key);
    }

    private static String file(String content) throws IOException {
        Path file = Files.createTempFile(work, "payload", ".json");
        Files.writeString(file, content);
        return file.toString();
    }

    private static URI stage() {
        return URI.create(output(Outputs.WEB_SOCKET_URL) + "/demo?token=" + cloud.token());
    }

    private static String connectionIdOf(WsClient client) throws Exception {
        String nonce = "who am i " + System.nanoTime();
        client.send("{\"action\":\"sendMessage\",\"message\":\"" + nonce + "\"}");
        return JSON.readTree(client.next(nonce)).get("from").asText();
    }
}
