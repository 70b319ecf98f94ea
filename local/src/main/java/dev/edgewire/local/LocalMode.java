package dev.edgewire.local;

import dev.edgewire.contract.Outputs;
import dev.edgewire.local.lambda.EventSourceMapping;
import dev.edgewire.local.websocket.WebSocketGateway;
import dev.edgewire.contract.Topology;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code edgewire-local}: runs the whole system on this machine until Ctrl-C. */
@Command(name = "edgewire-local", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Runs edgewire's cloud side on loopback: MQTT broker (mutual TLS), HTTPS publish endpoint, "
                + "topic rules, WebSocket API with @connections, a DynamoDB-compatible store and an SQS-compatible "
                + "service holding the readings queue and the failure queues, with the Lambda handlers in process. "
                + "No AWS account needed.")
public final class LocalMode implements Callable<Integer> {

    @Option(names = "--state-dir", description = "Certificates, keys, store data and outputs.json live here.")
    Path stateDir = Path.of(".local");

    @Option(names = "--mqtt-port", description = "MQTT over TLS (client certificate required); 0 picks a free port.")
    int mqttPort = Outputs.AWS_MQTT_PORT;

    @Option(names = "--https-port", description = "HTTPS publish endpoint (POST /topics/...); 0 picks a free port.")
    int httpsPort = Outputs.AWS_HTTPS_PORT;

    @Option(names = "--ws-port", description = "WebSocket API and @connections API; 0 picks a free port.")
    int webPort = 8080;

    @Option(names = "--thing", split = ",", description = "Things to make certificates for; the first is the outputs' ThingName "
            + "(default: thing-1 to thing-4; `simulate --devices N` runs the first N).")
    List<String> things = List.of(Topology.DEFAULT_THING_NAME, "thing-2", "thing-3", "thing-4");

    @Option(names = "--stage", description = "WebSocket stage name.")
    String stage = Topology.DEFAULT_STAGE;

    @Option(names = "--sqs-port", description = "SQS-compatible service (ElasticMQ) holding the readings queue and the failure queues; 0 picks a free port.")
    int sqsPort = 0;

    @Option(names = "--readings-mapping", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Whether the event source mapping from the readings queue to the fan-out polls (AWS: its "
                    + "Enabled). --no-readings-mapping starts it disabled: readings stay in the queue until the Lambda API's "
                    + "UpdateEventSourceMapping, at the WebSocket port, enables it.")
    boolean readingsMapping = true;

    @Option(names = "--shard-size", paramLabel = "N",
            description = "Connections one fan-out invocation posts to itself; above that it hands shards of N connections to "
                    + "worker invocations (AWS: the function's SHARD_SIZE, default ${DEFAULT-VALUE}).")
    int shardSize = Topology.Defaults.SHARD_SIZE;

    @Option(names = "--connections-per-subject", paramLabel = "N",
            description = "Open WebSocket connections one token subject may hold; the next is refused with 429 (AWS: the "
                    + "Connect function's optional CONNECTIONS_PER_SUBJECT, default ${DEFAULT-VALUE}).")
    int connectionsPerSubject = Topology.ConnectionsPerSubject.MAX;

    @Option(names = "--fail-workers", paramLabel = "N",
            description = "Fault injection, off by default: the first N worker invocations of the fan-out die midway, "
                    + "each after posting to half of its shard, as a worker killed by Lambda looks to the fan-out that "
                    + "invoked it. Shows the retry and the hand-over at work; watchers get some readings twice.")
    int failWorkers = 0;

    @Spec
    CommandSpec spec;

    @Option(names = "--dynamodb-endpoint", description = "Use this DynamoDB-compatible endpoint instead of starting dynalite.")
    URI dynamoDbEndpoint;

    @Option(names = "--idle-timeout", description = "Close WebSocket connections idle this long (API Gateway: 10 minutes).")
    Duration idleTimeout = Duration.ofMinutes(10);

    @Option(names = "--max-connection-duration", description = "Close WebSocket connections this old (API Gateway: 2 hours).")
    Duration maxConnectionDuration = Duration.ofHours(2);

    public static void main(String[] args) {
        // The handlers' jar brings the JSON log configuration Lambda uses; a terminal wants plain lines.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "edgewire-local-log4j2.xml");
        }
        // Local mode's own shutdown hook logs while it closes connections; log4j must outlive it.
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        System.exit(new CommandLine(new LocalMode()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (shardSize < 1) {
            throw new ParameterException(spec.commandLine(), "--shard-size must be at least 1, was " + shardSize);
        }
        if (connectionsPerSubject < 1) {
            throw new ParameterException(spec.commandLine(), "--connections-per-subject must be at least 1, was "
                    + connectionsPerSubject);
        }
        if (failWorkers < 0) {
            throw new ParameterException(spec.commandLine(), "--fail-workers must be at least 0, was " + failWorkers);
        }
        long started = System.nanoTime();
        WebSocketGateway.Limits api = WebSocketGateway.Limits.apiGateway();
        LocalConfig config;
        try {
            config = LocalConfig.defaults().withThings(things);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--thing: " + e.getMessage());
        }
        config = config
                .withStateDir(stateDir)
                .withPorts(mqttPort, httpsPort, webPort)
                .withDynamoDbEndpoint(dynamoDbEndpoint)
                .withSqsPort(sqsPort)
                .withReadingsMappingEnabled(readingsMapping)
                .withShardSize(shardSize)
                .withConnectionsPerSubject(connectionsPerSubject)
                .withLimits(new WebSocketGateway.Limits(api.maxFrameBytes(), api.maxMessageBytes(), idleTimeout,
                        maxConnectionDuration));
        config = new LocalConfig(config.stateDir(), config.host(), config.mqttPort(), config.httpsPort(),
                config.webPort(), stage, config.things(), config.dynamoDbEndpoint(), config.dynamoDbPort(),
                config.dynaliteCli(), config.limits(), config.connectionCacheTtl(), config.tokenTtl(),
                config.expiryInterval(), config.sqsPort(), config.readingsVisibilityTimeout(),
                config.readingsMappingEnabled(), config.shardSize(), config.connectionsPerSubject());
        LocalCloud cloud = LocalCloud.start(config);
        cloud.crashWorkers(failWorkers);
        Path costFile = config.stateDir().resolve(LocalCloud.COST_FILE).toAbsolutePath();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nShutting down: closing WebSocket connections (1001) and running $disconnect...");
            cloud.close();
            System.out.println("Stopped.\n");
            System.out.print(cloud.costReport().table());
            System.out.println("  As JSON: " + costFile);
            org.apache.logging.log4j.LogManager.shutdown();
            stopped.countDown();
        }, "shutdown"));
        System.out.println(banner(cloud, config.readingsMappingEnabled(), Duration.ofNanos(System.nanoTime() - started))
                + fanOutSettings(config.shardSize(), failWorkers));
        stopped.await();
        return 0;
    }

    static String banner(LocalCloud cloud, boolean readingsMapping, Duration startup) {
        Map<String, String> o = cloud.outputs();
        String ca = o.get(Outputs.CA_CERTIFICATE_FILE);
        String thing = o.get(Outputs.THING_NAME);
        String cert = o.get(Outputs.CERTIFICATE_FILE);
        String key = o.get(Outputs.PRIVATE_KEY_FILE);
        // Each MQTT suggestion has a client id of its own, so that they run together without taking each
        // other's sessions (IoT Core keeps one connection per client id): the device client's watcher is the
        // last thing, mosquitto_sub the one before, the one-shot publishers the one before that, and
        // simulate the things before those (with the four made by default: thing-1 to thing-4).
        List<String> names = List.copyOf(cloud.things().keySet());
        String last = names.getLast();
        var lastId = cloud.things().get(last);
        String watcher = names.get(Math.max(0, names.size() - 2));
        var watcherId = cloud.things().get(watcher);
        String second = names.get(Math.max(0, names.size() - 3));
        var secondId = cloud.things().get(second);
        int simulated = Math.max(1, names.size() - 3);
        String reading = "{\"deviceId\":\"%s\",\"seq\":0,\"ts\":\"2026-11-29T21:00:00Z\",\"temperature\":22.4,"
                + "\"humidity\":41.2,\"pressure\":1012.8,\"battery\":0.93}";
        return """

                edgewire local mode is ready (%d ms)

                  Dashboard         %s   (live readings; talk back to the devices)
                  WebSocket API     %s/%s?token=...
                  @connections API  %s/@connections/{connectionId}   (SigV4, local credentials)
                  MQTT over TLS     localhost:%s   (client certificate from the local CA, client id = thing name)
                  HTTPS publish     https://localhost:%s/topics/{topic}?qos=1   (client certificate)
                  DynamoDB store    %s   table %s
                  SQS service       %s   queues (listed in the outputs file):
                    Readings            from the topic rules to the fan-out (event source mapping, batches of 10%s)
                    ReadingsDeadLetters readings the fan-out failed on every receive (5)
                    FailedDeliveries    readings a topic rule could not send to the readings queue (error-action messages)
                    FailedInvocations   continued broadcasts that failed every attempt (Lambda's invocation records)
                  Lambda API        %s   event source mappings (List, Get, Update with Enabled; SigV4, local credentials):
                                    %s, readings queue -> fan-out; Enabled=false pauses the fan-out
                  Outputs file      %s
                  AWS SDKs, CLI     any access key is accepted; local mode's own key (verified) is the profile %s:
                    export AWS_SHARED_CREDENTIALS_FILE=%s AWS_CONFIG_FILE=%s AWS_PROFILE=%s
                    aws --endpoint-url %s apigatewaymanagementapi get-connection --connection-id <id>
                    echo '{"hello":1}' > hello.json; aws --endpoint-url https://localhost:%s --ca-bundle %s iot-data publish --topic general/outbound --payload fileb://hello.json

                Token for the WebSocket API (valid 24 h; it may command every device):
                  %s

                Try it (each in its own terminal):
                  node_modules/.bin/wscat -c "%s/%s?token=%s"
                  device-client/bin/edgewire-device subscribe --outputs %s --thing %s --cert %s --key %s
                  device-client/bin/edgewire-device publish --outputs %s --thing %s --cert %s --key %s
                  device-client/bin/edgewire-device simulate --outputs %s --devices %d --rate 2 --duration 30s
                  mosquitto_sub -h localhost -p %s --cafile %s --cert %s --key %s -i %s -q 1 -v -t devices/%s/commands -t general/outbound
                  mosquitto_sub -h localhost -p %s --cafile %s --cert %s --key %s -i %s -q 1 -v -t 'devices/+/telemetry' -t 'devices/+/commands'
                  mosquitto_pub -h localhost -p %s --cafile %s --cert %s --key %s -i %s -q 1 -t devices/%s/telemetry -m '%s'
                  curl --cacert %s --cert %s --key %s -X POST -d '%s' "https://localhost:%s/topics/devices%%2F%s%%2Ftelemetry?qos=1"
                then, in wscat:  {"action":"sendMessage","message":"hello from terminal2"}

                Ctrl-C stops everything and prints what the run would have cost on AWS; state stays in %s.
                """.formatted(startup.toMillis(), cloud.dashboardUrl(),
                o.get(Outputs.WEB_SOCKET_URL), stageOf(o), o.get(Outputs.CALLBACK_URL), o.get(Outputs.MQTT_PORT), o.get(Outputs.HTTPS_PORT),
                o.get(Outputs.DYNAMODB_ENDPOINT), o.get(Outputs.TABLE_NAME), o.get(Outputs.SQS_ENDPOINT),
                readingsMapping ? "" : "; DISABLED (--no-readings-mapping): readings stay in the queue",
                lambdaApi(o), EventSourceMapping.uuidOf(Topology.ReadingsQueue.CONSUMER),
                cloud.outputsFile().toAbsolutePath(),
                o.get(Outputs.AWS_PROFILE), o.get(Outputs.AWS_SHARED_CREDENTIALS_FILE), o.get(Outputs.AWS_CONFIG_FILE),
                o.get(Outputs.AWS_PROFILE), o.get(Outputs.CALLBACK_URL), o.get(Outputs.HTTPS_PORT), ca,
                cloud.token(),
                o.get(Outputs.WEB_SOCKET_URL), stageOf(o), cloud.token(),
                cloud.outputsFile().toAbsolutePath(), last, lastId.certificateFile().toAbsolutePath(),
                lastId.privateKeyFile().toAbsolutePath(),
                cloud.outputsFile().toAbsolutePath(), second, secondId.certificateFile().toAbsolutePath(),
                secondId.privateKeyFile().toAbsolutePath(),
                cloud.outputsFile().toAbsolutePath(), simulated,
                o.get(Outputs.MQTT_PORT), ca, watcherId.certificateFile().toAbsolutePath(),
                watcherId.privateKeyFile().toAbsolutePath(), watcher, watcher,
                o.get(Outputs.MQTT_PORT), ca, o.get(Outputs.OBSERVER_CERTIFICATE_FILE),
                o.get(Outputs.OBSERVER_PRIVATE_KEY_FILE), o.get(Outputs.OBSERVER_CLIENT_ID),
                o.get(Outputs.MQTT_PORT), ca, secondId.certificateFile().toAbsolutePath(),
                secondId.privateKeyFile().toAbsolutePath(), second, second, reading.formatted(second),
                ca, cert, key, reading.formatted(thing), o.get(Outputs.HTTPS_PORT), thing,
                cloud.outputsFile().getParent().toAbsolutePath());
    }

    /** What differs from the deployed fan-out: the shard size, and the fault injected into its workers. */
    static String fanOutSettings(int shardSize, int failWorkers) {
        StringBuilder lines = new StringBuilder();
        if (shardSize != Topology.Defaults.SHARD_SIZE) {
            lines.append("Fan-out: shards of ").append(shardSize).append(" connections (--shard-size; AWS default ")
                    .append(Topology.Defaults.SHARD_SIZE).append(").\n");
        }
        if (failWorkers > 0) {
            lines.append("FAULT INJECTION (--fail-workers ").append(failWorkers).append("): the first ").append(failWorkers)
                    .append(" worker invocations of the fan-out die midway through their shard.\n");
        }
        return lines.toString();
    }

    /** The Lambda API's endpoint: the web server's origin, that of the callback URL. */
    private static String lambdaApi(Map<String, String> outputs) {
        URI callback = URI.create(outputs.get(Outputs.CALLBACK_URL));
        return callback.getScheme() + "://" + callback.getAuthority();
    }

    private static String stageOf(Map<String, String> outputs) {
        String callback = outputs.get(Outputs.CALLBACK_URL);
        return callback.substring(callback.lastIndexOf('/') + 1);
    }
}
