package dev.edgewire.faults;

import dev.edgewire.contract.Outputs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import dev.edgewire.contract.Tokens;
import dev.edgewire.local.LocalCloud;
import dev.edgewire.standins.clients.RawFrames;
import dev.edgewire.standins.clients.WsClient;
import dev.edgewire.standins.mqtt.MqttTestClients;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;

/**
 * Scenario 5: a catalogue of bad inputs, each sent for real to running local mode by a real client
 * at every entry point (WebSocket upgrade, bodies and frames; HTTPS publish; MQTT connect, publish
 * and subscribe; the {@code @connections} API). For each, the exact error the caller got is
 * recorded and compared with the documented one, and a healthy device's reading must still reach
 * a healthy WebSocket client.
 */
final class BadInputCatalogue {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FunctionalInterface
    interface Probe {
        String observe() throws Exception;
    }

    /** One bad input: where it goes, what it is, the documented error and how to recognise it. */
    record Entry(String entryPoint, String input, String expected, Pattern recognised, Probe probe) {
    }

    private final Rig rig;
    private final LocalCloud cloud;
    private final Tally health;
    private final Tally prober;
    private final Mqtt5BlockingClient healthyDevice;
    private long healthSeq;
    /** What local mode logged while the catalogue ran, in order. */
    private final List<String> logged = new ArrayList<>();

    private BadInputCatalogue(Rig rig, Tally health, Tally prober, Mqtt5BlockingClient healthyDevice) {
        this.rig = rig;
        this.cloud = rig.cloud;
        this.health = health;
        this.prober = prober;
        this.healthyDevice = healthyDevice;
    }

    static Outcome run(Rig rig) throws Exception {
        Outcome o = new Outcome("bad-inputs", "5. A catalogue of bad inputs at every entry point");
        o.setup = "Local mode in process. Each input below is sent by a real client (JDK WebSocket and HTTP clients, "
                + "hand-written WebSocket frames, the HiveMQ MQTT 5 client, the AWS SDK's @connections client). After "
                + "each, a healthy device (" + Rig.HEALTHY_THING + ", MQTT QoS 1) publishes a reading and it must reach a "
                + "healthy WebSocket client within 10 s: the 'others still served' column.";
        o.command = "java -cp <benchmarks class path> " + FaultSuite.class.getName() + " --scenario bad_inputs";
        rig.logs.take();
        Mqtt5BlockingClient device = MqttTestClients.client(rig.cloud.mqttPort(), Rig.HEALTHY_THING, rig.cloud.pki(),
                rig.cloud.things().get(Rig.HEALTHY_THING));
        device.connect();
        try (Tally health = Tally.connect(rig.stage()); Tally prober = Tally.connect(rig.stage())) {
            Rig.awaitFanOutSees();
            BadInputCatalogue catalogue = new BadInputCatalogue(rig, health, prober, device);
            o.check(catalogue.othersServed(), "the healthy path works before the first bad input");
            for (Entry entry : catalogue.entries()) {
                String observed;
                try {
                    observed = entry.probe().observe();
                } catch (Exception e) {
                    observed = "client-side exception: " + e;
                }
                boolean asExpected = entry.recognised().matcher(observed).matches();
                boolean served = catalogue.othersServed() && !health.client().closeCode().isDone();
                o.cases.add(new Outcome.Case(entry.entryPoint(), entry.input(), entry.expected(), observed, asExpected,
                        served));
                System.out.println("[bad-inputs] " + (asExpected ? "ok " : "UNEXPECTED ") + entry.input() + " -> " + observed);
                o.check(asExpected, entry.entryPoint() + " / " + entry.input() + ": expected " + entry.expected()
                        + ", observed " + observed);
                o.check(served, entry.entryPoint() + " / " + entry.input() + ": the healthy device and client were "
                        + "still served");
            }
            o.check(o.cases.size() >= 30, "at least 30 bad inputs (" + o.cases.size() + ")");
            o.saw(o.cases.size() + " bad inputs; " + o.cases.stream().filter(Outcome.Case::asExpected).count()
                    + " got exactly the documented error; after " + o.cases.stream().filter(Outcome.Case::othersServed)
                    .count() + " of them the healthy device's next reading reached the healthy client");
            catalogue.logged.addAll(rig.logs.take());
            o.logged.addAll(BrokerRestart.firstLines(catalogue.logged, 40));
        } finally {
            device.disconnect();
        }
        return o;
    }

    /** A reading from the healthy device reaches the healthy WebSocket client within 10 s. */
    private boolean othersServed() throws InterruptedException {
        long seq = healthSeq++;
        String reading = "{\"deviceId\":\"" + Rig.HEALTHY_THING + "\",\"seq\":" + seq + ",\"ts\":\"" + Instant.now()
                + "\",\"temperature\":21.5,\"humidity\":40.0,\"pressure\":1013.0,\"battery\":0.9}";
        try {
            healthyDevice.publishWith().topic("devices/" + Rig.HEALTHY_THING + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(reading.getBytes(StandardCharsets.UTF_8)).send();
        } catch (RuntimeException e) {
            return false;
        }
        return StoreOutage.waitFor(() -> health.has(Rig.HEALTHY_THING, seq), Duration.ofSeconds(10));
    }

    private List<Entry> entries() throws Exception {
        List<Entry> e = new ArrayList<>();
        String ws = "WebSocket $connect";
        String stage = cloud.outputs().get(Outputs.WEB_SOCKET_URL) + "/" + rig.stageName();
        byte[] key = Files.readString(cloud.outputsFile().getParent().resolve("token.key")).strip()
                .getBytes(StandardCharsets.UTF_8);
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);
        String expired = Tokens.mint(key, "someone", Tokens.Grant.ALL, Duration.ofMinutes(5),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
        String forged = Tokens.mint(otherKey, "someone", Tokens.Grant.ALL, Duration.ofHours(1), Clock.systemUTC());
        String valid = cloud.token();
        String tampered = valid.substring(0, valid.lastIndexOf('.') + 1) + "AAAA" + valid.substring(valid.lastIndexOf('.') + 5);
        e.add(new Entry(ws, "no token query parameter", "HTTP 401 Unauthorized (the authorizer is not called)",
                exact("HTTP 401 Unauthorized"), () -> upgrade(URI.create(stage))));
        e.add(new Entry(ws, "empty token (?token=)", "HTTP 401 Unauthorized",
                exact("HTTP 401 Unauthorized"), () -> upgrade(URI.create(stage + "?token="))));
        e.add(new Entry(ws, "expired token (valid signature, expiry 55 min ago)", "HTTP 403 Forbidden (the authorizer denies the token)",
                exact("HTTP 403 Forbidden"), () -> upgrade(URI.create(stage + "?token=" + expired))));
        e.add(new Entry(ws, "forged token (signed with another key)", "HTTP 403 Forbidden (the authorizer denies the token)",
                exact("HTTP 403 Forbidden"), () -> upgrade(URI.create(stage + "?token=" + forged))));
        e.add(new Entry(ws, "valid token with its signature altered", "HTTP 403 Forbidden (the authorizer denies the token)",
                exact("HTTP 403 Forbidden"), () -> upgrade(URI.create(stage + "?token=" + tampered))));
        e.add(new Entry(ws, "malformed token (not-a-token)", "HTTP 403 Forbidden (the authorizer denies the token)",
                exact("HTTP 403 Forbidden"), () -> upgrade(URI.create(stage + "?token=not-a-token"))));
        e.add(new Entry(ws, "token of 5,000 characters", "HTTP 403 Forbidden (the authorizer refuses tokens over "
                + Tokens.MAX_TOKEN_CHARS + " characters)",
                exact("HTTP 403 Forbidden"), () -> upgrade(URI.create(stage + "?token=" + "a".repeat(5_000)))));

        String body = "WebSocket message body";
        String valid2 = "Valid actions: " + String.join(", ", Topology.actions())
                + ". Send for example {\"action\":\"sendMessage\",\"message\":\"hello\"}.";
        String noAction = "error BadRequest: The body has no \"action\". " + valid2;
        e.add(bodyEntry(body, "plain text: hello", "hello", noAction));
        e.add(bodyEntry(body, "JSON without action: {\"message\":\"hi\"}", "{\"message\":\"hi\"}", noAction));
        e.add(bodyEntry(body, "unknown action: {\"action\":\"dance\"}", "{\"action\":\"dance\"}",
                "error BadRequest: Unknown action \"dance\". " + valid2));
        e.add(bodyEntry(body, "action not a string: {\"action\":42}", "{\"action\":42}", noAction));
        e.add(bodyEntry(body, "JSON array: [1,2]", "[1,2]", noAction));
        e.add(bodyEntry(body, "truncated JSON: {\"action\":\"sendMessage\",\"message\":",
                "{\"action\":\"sendMessage\",\"message\":", noAction));
        e.add(bodyEntry(body, "sendMessage without message", "{\"action\":\"sendMessage\"}",
                "error BadRequest: \"message\" is missing; send {\"action\":\"sendMessage\",\"message\":\"...\"}."));
        e.add(bodyEntry(body, "sendMessage with message null", "{\"action\":\"sendMessage\",\"message\":null}",
                "error BadRequest: \"message\" is missing; send {\"action\":\"sendMessage\",\"message\":\"...\"}."));
        e.add(bodyEntry(body, "deviceId not a string: \"deviceId\":42",
                "{\"action\":\"sendMessage\",\"message\":\"x\",\"deviceId\":42}",
                "error BadRequest: \"deviceId\" must be a string, the name of a thing."));
        e.add(bodyEntry(body, "deviceId not a thing name: \"deviceId\":\"../etc\"",
                "{\"action\":\"sendMessage\",\"message\":\"x\",\"deviceId\":\"../etc\"}",
                "error BadRequest: \"deviceId\" must be a thing name: 1 to 128 of a-z, A-Z, 0-9, ':', '_' and '-'."));
        e.add(new Entry(body, "binary frame (bytes 0x00 0xff 0x10)", noAction + " (routed to $default, base64 body)",
                exact(noAction), () -> {
                    prober.client().socket().sendBinary(ByteBuffer.wrap(new byte[] {0, (byte) 0xff, 0x10}), true)
                            .get(10, TimeUnit.SECONDS);
                    return errorReply();
                }));

        String frame = "WebSocket frame";
        URI stageUri = rig.stage();
        e.add(new Entry(frame, "text message of 130 KB (over the 128 KB message limit, in frames the client chose)",
                "close 1009 (message too big); the connection ends, others stay", Pattern.compile("close 1009"),
                () -> {
                    WsClient big = WsClient.connect(stageUri);
                    big.socket().sendText("{\"action\":\"sendMessage\",\"message\":\"" + "x".repeat(130 * 1024) + "\"}", true);
                    return "close " + big.closeCode().get(10, TimeUnit.SECONDS);
                }));
        e.add(new Entry(frame, "one text frame of 33 KB (over the 32 KB frame limit)", "close 1009 (frame too big)",
                Pattern.compile("close 1009: .*"), () -> close(RawFrames.send(stageUri, 0x81, true, ascii(33 * 1024)))));
        e.add(new Entry(frame, "text frame that is not UTF-8 (bytes 0xc3 0x28)", "close 1007 (invalid UTF-8)",
                Pattern.compile("close 1007: .*"),
                () -> close(RawFrames.send(stageUri, 0x81, true, new byte[] {(byte) 0xc3, 0x28}))));
        e.add(new Entry(frame, "unmasked client frame", "close 1002 (protocol error)", Pattern.compile("close 1002: .*"),
                () -> close(RawFrames.send(stageUri, 0x81, false, ascii(10)))));
        e.add(new Entry(frame, "reserved opcode 0x3", "close 1002 (protocol error)", Pattern.compile("close 1002: .*"),
                () -> close(RawFrames.send(stageUri, 0x83, true, ascii(10)))));
        e.add(new Entry(frame, "RSV1 bit set without a negotiated extension", "close 1002 (protocol error)",
                Pattern.compile("close 1002: .*"), () -> close(RawFrames.send(stageUri, 0xc1, true, ascii(10)))));

        String https = "HTTPS publish";
        LocalPki.Identity other = cloud.things().get(Rig.OTHER_THING);
        String own = "devices%2F" + Rig.OTHER_THING + "%2Ftelemetry";
        String reading = "{\"deviceId\":\"" + Rig.OTHER_THING + "\",\"seq\":0}";
        String noCert = "HTTP 403 Forbidden: present a client certificate signed by the local CA, or sign the request with SigV4";
        e.add(new Entry(https, "no client certificate", noCert, exact(noCert),
                () -> post(null, "/topics/" + own + "?qos=1", reading)));
        e.add(new Entry(https, "client certificate from another CA (right thing name)", noCert
                + " (TLS does not accept the certificate, so the request arrives unauthenticated)", exact(noCert),
                () -> post(LocalPki.foreignClient(Rig.OTHER_THING), "/topics/" + own + "?qos=1", reading)));
        e.add(httpsEntry(https, "another thing's topic devices/" + Rig.HEALTHY_THING + "/telemetry", other,
                "/topics/devices%2F" + Rig.HEALTHY_THING + "%2Ftelemetry?qos=1", reading,
                "HTTP 403 Forbidden: not authorized to publish to devices/" + Rig.HEALTHY_THING + "/telemetry"));
        e.add(httpsEntry(https, "wildcard topic devices/+/telemetry", other, "/topics/devices%2F%2B%2Ftelemetry?qos=1",
                reading, "HTTP 400 Invalid topic name: devices/+/telemetry"));
        e.add(httpsEntry(https, "reserved topic $aws/things/x/shadow/update", other,
                "/topics/%24aws%2Fthings%2Fx%2Fshadow%2Fupdate?qos=1", reading,
                "HTTP 400 Invalid topic name: $aws/things/x/shadow/update"));
        String longTopic = "devices/" + "a".repeat(300);
        e.add(httpsEntry(https, "topic of 308 characters (limit 256)", other,
                "/topics/" + longTopic.replace("/", "%2F") + "?qos=1", reading, "HTTP 400 Invalid topic name: " + longTopic));
        e.add(httpsEntry(https, "qos=2", other, "/topics/" + own + "?qos=2", reading, "HTTP 400 Invalid qos: 2 (0 or 1)"));
        e.add(httpsEntry(https, "payload of 129 KB (limit 128 KB)", other, "/topics/" + own + "?qos=1",
                "x".repeat(129 * 1024), "HTTP 413 Payload Too Large: at most 131072 bytes"));
        e.add(new Entry(https, "GET instead of POST", "HTTP 405 Method Not Allowed: use POST",
                exact("HTTP 405 Method Not Allowed: use POST"), () -> request(other, "GET", "/topics/" + own, null)));
        e.add(httpsEntry(https, "path outside /topics/", other, "/things/" + Rig.OTHER_THING, reading,
                "HTTP 404 Not Found: publish with POST /topics/{topic}"));
        e.add(new Entry(https, "telemetry payload that is not JSON (own topic)",
                "HTTP 200 OK (IoT Core accepts any payload); the topic rule fails and local mode logs it; nothing is fanned out",
                Pattern.compile("HTTP 200 OK; logged: WARN RuleActions: topic rule error on 'devices/" + Rig.OTHER_THING
                        + "/telemetry' from " + Rig.OTHER_THING + ": .+"),
                () -> {
                    logged.addAll(rig.logs.take());
                    String status = post(other, "/topics/" + own + "?qos=1", "not json at all");
                    Thread.sleep(300);
                    List<String> after = rig.logs.take();
                    logged.addAll(after);
                    String line = after.stream().filter(l -> l.contains("topic rule error")).findFirst()
                            .orElse("nothing");
                    return status + "; logged: " + line;
                }));

        String mqttConnect = "MQTT connect";
        e.add(new Entry(mqttConnect, "no client certificate", "TLS handshake refused by the broker: certificate_required",
                Pattern.compile("(?i)TLS refused: .*(certificate_required|bad_certificate).*"),
                () -> mqttConnect(Rig.OTHER_THING, null)));
        e.add(new Entry(mqttConnect, "client certificate from another CA", "TLS handshake refused by the broker: "
                + "certificate_required (the broker names its CA; a JDK client then offers no certificate, "
                + "other clients get certificate_unknown)",
                Pattern.compile("(?i)TLS refused: .*(certificate_required|certificate_unknown|bad_certificate|unknown_ca).*"),
                () -> mqttConnect(Rig.OTHER_THING, LocalPki.foreignClient(Rig.OTHER_THING))));
        e.add(new Entry(mqttConnect, "client id that is not the certificate's thing name",
                "CONNACK NOT_AUTHORIZED (0x87): client id must be the thing name of the certificate (" + Rig.OTHER_THING + ")",
                exact("CONNACK NOT_AUTHORIZED (0x87): client id must be the thing name of the certificate ("
                        + Rig.OTHER_THING + ")"),
                () -> mqttConnect("someone-else", other)));

        String mqttPublish = "MQTT publish";
        e.add(mqttPublishEntry(mqttPublish, "another thing's telemetry topic", "devices/" + Rig.HEALTHY_THING + "/telemetry"));
        e.add(mqttPublishEntry(mqttPublish, "cloud-to-device topic general/outbound", "general/outbound"));
        e.add(mqttPublishEntry(mqttPublish, "another thing's commands topic", "devices/" + Rig.HEALTHY_THING + "/commands"));
        e.add(new Entry(mqttPublish, "payload of 129 KB (the broker's maximum packet size is 128 KB)",
                "refused before sending: the packet exceeds the maximum packet size the broker announced in CONNACK",
                Pattern.compile("not sent: .*(maximum packet size|Maximum packet size).*"),
                () -> mqttPublish("devices/" + Rig.OTHER_THING + "/telemetry", new byte[129 * 1024])));

        String mqttSubscribe = "MQTT subscribe";
        e.add(mqttSubscribeEntry(mqttSubscribe, "wildcard filter devices/#", "devices/#"));
        e.add(mqttSubscribeEntry(mqttSubscribe, "another thing's commands topic", "devices/" + Rig.HEALTHY_THING + "/commands"));
        e.add(mqttSubscribeEntry(mqttSubscribe, "all topics #", "#"));

        String connections = "@connections API";
        String callback = cloud.outputs().get(Outputs.CALLBACK_URL);
        e.add(new Entry(connections, "unsigned POST", "HTTP 403 ForbiddenException: Missing or wrong SigV4 signature; "
                + "sign with the local credentials", exact("HTTP 403 ForbiddenException: Missing or wrong SigV4 "
                + "signature; sign with the local credentials"), () -> {
                    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(callback + "/@connections/anything")).POST(HttpRequest.BodyPublishers.ofString("x"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    return "HTTP " + r.statusCode() + " " + r.headers().firstValue("x-amzn-ErrorType").orElse("") + ": "
                            + JSON.readTree(r.body()).path("message").asText();
                }));
        e.add(new Entry(connections, "POST signed with the local access key but a wrong secret",
                "HTTP 403 InvalidSignatureException (the signature is checked, as AWS checks it)",
                exact("HTTP 403 InvalidSignatureException"), () -> managementPost("anything", "x", "not-the-secret")));
        e.add(new Entry(connections, "signed POST to a connection id that does not exist", "HTTP 410 GoneException",
                exact("HTTP 410 GoneException"), () -> managementPost("no-such-connection", "x")));
        e.add(new Entry(connections, "signed POST of 129 KB to a live connection (limit 128 KB)",
                "HTTP 413 PayloadTooLargeException", exact("HTTP 413 PayloadTooLargeException"), () -> {
                    prober.send("{\"action\":\"sendMessage\",\"message\":\"who am i\"}");
                    StoreOutage.waitFor(() -> prober.senderOf("who am i") != null, Duration.ofSeconds(10));
                    return managementPost(prober.senderOf("who am i"), "x".repeat(129 * 1024));
                }));
        return e;
    }

    private Entry bodyEntry(String entryPoint, String input, String frame, String expected) {
        return new Entry(entryPoint, input, expected + " (to the sender only)", exact(expected), () -> {
            prober.send(frame);
            return errorReply();
        });
    }

    private Entry httpsEntry(String entryPoint, String input, LocalPki.Identity identity, String path, String body,
            String expected) {
        return new Entry(entryPoint, input, expected, exact(expected), () -> post(identity, path, body));
    }

    private Entry mqttPublishEntry(String entryPoint, String input, String topic) {
        // IoT Core, too, ends the connection of a client that publishes outside its policy.
        String expected = "PUBACK NOT_AUTHORIZED (0x87): not authorized to publish to " + topic
                + "; then DISCONNECT NOT_AUTHORIZED (0x87)";
        return new Entry(entryPoint, input, expected + " (the broker closes the connection, as IoT Core does)",
                Pattern.compile(Pattern.quote(expected) + ".*"),
                () -> mqttPublish(topic, "{\"seq\":0}".getBytes(StandardCharsets.UTF_8)));
    }

    private Entry mqttSubscribeEntry(String entryPoint, String input, String filter) {
        String expected = "SUBACK NOT_AUTHORIZED (0x87): not authorized to subscribe to " + filter;
        return new Entry(entryPoint, input, expected, exact(expected), () -> mqttSubscribe(filter));
    }

    private static Pattern exact(String text) {
        return Pattern.compile(Pattern.quote(text));
    }

    private static byte[] ascii(int size) {
        byte[] bytes = new byte[size];
        java.util.Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    private static String close(RawFrames.Close close) {
        return "close " + close.code() + ": " + close.reason();
    }

    /** The next error envelope (or API Gateway error reply) the prober gets, as "error TYPE: detail". */
    private String errorReply() throws Exception {
        String reply = prober.nextOther(Duration.ofSeconds(10));
        if (reply == null) {
            return "no reply within 10 s";
        }
        JsonNode node = JSON.readTree(reply);
        return node.path("type").asText().equals("error")
                ? "error " + node.path("error").asText() + ": " + node.path("detail").asText()
                : reply;
    }

    /** The WebSocket upgrade's status line, read off the socket as a browser would see it. */
    private static String upgrade(URI uri) throws IOException {
        String status = RawFrames.upgradeStatus(uri);
        return status.startsWith("HTTP/1.1 ") ? "HTTP " + status.substring(9) : status;
    }

    private String post(LocalPki.Identity identity, String path, String body) throws Exception {
        return request(identity, "POST", path, body);
    }

    private String request(LocalPki.Identity identity, String method, String path, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls(identity)).build();
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + cloud.httpsPort() + path))
                .method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
        return "HTTP " + r.statusCode() + " " + JSON.readTree(r.body()).path("message").asText();
    }

    private SSLContext tls(LocalPki.Identity identity) throws Exception {
        return cloud.pki().clientContext(identity);
    }

    /** An MQTT 5 client over TLS trusting the local CA, with {@code identity}'s certificate if not null. */
    private Mqtt5BlockingClient mqttClient(String clientId, LocalPki.Identity identity,
            java.util.concurrent.atomic.AtomicReference<Throwable> disconnectCause) throws Exception {
        var ssl = MqttClientSslConfig.builder().trustManagerFactory(cloud.pki().trustManagers());
        if (identity != null) {
            ssl = ssl.keyManagerFactory(LocalPki.keyManagers(identity));
        }
        return Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(cloud.mqttPort())
                .sslConfig(ssl.build())
                .addDisconnectedListener(context -> disconnectCause.compareAndSet(null, context.getCause()))
                .buildBlocking();
    }

    private String mqttConnect(String clientId, LocalPki.Identity identity) throws Exception {
        Mqtt5BlockingClient client = mqttClient(clientId, identity, new java.util.concurrent.atomic.AtomicReference<>());
        try {
            client.connect();
            client.disconnect();
            return "connected";
        } catch (Mqtt5ConnAckException refused) {
            var ack = refused.getMqttMessage();
            return "CONNACK " + ack.getReasonCode() + " (0x" + Integer.toHexString(ack.getReasonCode().getCode()) + "): "
                    + ack.getReasonString().map(Object::toString).orElse("");
        } catch (RuntimeException e) {
            return "TLS refused: " + tlsCause(e);
        }
    }

    private static String tlsCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return t.getMessage();
            }
        }
        return e.toString();
    }

    /** Publishes at QoS 1 as the other thing, on a connection of its own. */
    private String mqttPublish(String topic, byte[] payload) throws Exception {
        var cause = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Mqtt5BlockingClient client = mqttClient(Rig.OTHER_THING, cloud.things().get(Rig.OTHER_THING), cause);
        client.connect();
        String outcome;
        try {
            Mqtt5PublishResult result = client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
            outcome = result.getError().map(BadInputCatalogue::describe).orElse("accepted");
        } catch (RuntimeException e) {
            outcome = describe(e);
        }
        Thread.sleep(200); // a broker that drops the connection after the refusal does so at once
        if (!client.getState().isConnected()) {
            if (cause.get() instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException disconnect) {
                var message = disconnect.getMqttMessage();
                return outcome + "; then DISCONNECT " + message.getReasonCode() + " (0x"
                        + Integer.toHexString(message.getReasonCode().getCode()) + ")"
                        + message.getReasonString().map(r -> ": " + r).orElse("");
            }
            return outcome + "; then disconnected: " + cause.get();
        }
        client.disconnect();
        return outcome;
    }

    private static String describe(Throwable error) {
        if (error instanceof Mqtt5PubAckException refused) {
            var ack = refused.getMqttMessage();
            return "PUBACK " + ack.getReasonCode() + " (0x" + Integer.toHexString(ack.getReasonCode().getCode()) + "): "
                    + ack.getReasonString().map(Object::toString).orElse("");
        }
        return "not sent: " + error.getMessage();
    }

    private String mqttSubscribe(String filter) throws Exception {
        Mqtt5BlockingClient client = mqttClient(Rig.OTHER_THING, cloud.things().get(Rig.OTHER_THING),
                new java.util.concurrent.atomic.AtomicReference<>());
        client.connect();
        try {
            return subAck(client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send());
        } catch (Mqtt5SubAckException refused) {
            return subAck(refused.getMqttMessage());
        } finally {
            client.disconnect();
        }
    }

    private static String subAck(Mqtt5SubAck ack) {
        var code = ack.getReasonCodes().get(0);
        // HiveMQ ends the reason string with ". " after each refused filter.
        return "SUBACK " + code + " (0x" + Integer.toHexString(code.getCode()) + "): "
                + ack.getReasonString().map(Object::toString).orElse("").replaceAll("[.\\s]+$", "");
    }

    private String managementPost(String connectionId, String data) {
        return managementPost(connectionId, data, LocalCloud.CREDENTIALS.secretAccessKey());
    }

    private String managementPost(String connectionId, String data, String secretAccessKey) {
        try (ApiGatewayManagementApiClient api = ApiGatewayManagementApiClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(cloud.outputs().get(Outputs.CALLBACK_URL)))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        LocalCloud.CREDENTIALS.accessKeyId(), secretAccessKey)))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            api.postToConnection(b -> b.connectionId(connectionId).data(SdkBytes.fromUtf8String(data)));
            return "HTTP 200 delivered";
        } catch (AwsServiceException e) {
            return "HTTP " + e.statusCode() + " " + e.awsErrorDetails().errorCode();
        }
    }
}
