package dev.edgewire.local;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import dev.edgewire.local.policy.ObserverPolicy;
import dev.edgewire.local.websocket.WebSocketGateway;
import dev.edgewire.standins.net.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What local mode runs with. Port 0 means "any free port", chosen before start so that every
 * component (and the outputs file) knows the others' addresses.
 */
public record LocalConfig(
        Path stateDir,
        String host,
        int mqttPort,
        int httpsPort,
        int webPort,
        String stage,
        List<String> things,
        URI dynamoDbEndpoint,
        int dynamoDbPort,
        Optional<Path> dynaliteCli,
        WebSocketGateway.Limits limits,
        Duration connectionCacheTtl,
        Duration tokenTtl,
        Duration expiryInterval,
        int sqsPort,
        Duration readingsVisibilityTimeout,
        boolean readingsMappingEnabled,
        int shardSize,
        int connectionsPerSubject) {

    public LocalConfig {
        if (things.isEmpty()) {
            throw new IllegalArgumentException("at least one thing is needed");
        }
        for (String thing : things) {
            if (thing == null || !Outputs.THING_NAME_PATTERN.matcher(thing).matches()) {
                // AWS IoT would not create such a thing, and the observer's name is one of them.
                throw new IllegalArgumentException("'" + thing + "' is not a valid AWS IoT thing name "
                        + "(1-128 of a-z A-Z 0-9 : _ -)" + (ObserverPolicy.isObserver(thing)
                        ? "; it is the observer's client id, reserved for it" : ""));
            }
        }
        things = List.copyOf(things);
        if (shardSize < 1) {
            throw new IllegalArgumentException("the shard size must be at least 1, was " + shardSize);
        }
        if (connectionsPerSubject < 1) {
            throw new IllegalArgumentException("the connections per subject must be at least 1, was " + connectionsPerSubject);
        }
    }

    /**
     * The defaults: AWS IoT's ports for MQTT and HTTPS, 8080 for the WebSocket API, state in {@code .local/};
     * the store and the SQS service on free ports (the outputs name them).
     */
    public static LocalConfig defaults() {
        return new LocalConfig(Path.of(".local"), "127.0.0.1", Outputs.AWS_MQTT_PORT, Outputs.AWS_HTTPS_PORT, 8080, Topology.DEFAULT_STAGE,
                List.of(Topology.DEFAULT_THING_NAME), null, 0, Optional.empty(), WebSocketGateway.Limits.apiGateway(),
                Duration.ofMillis(Topology.Defaults.CONNECTION_CACHE_TTL_MS), Duration.ofHours(24), Duration.ofSeconds(60), 0,
                Topology.ReadingsQueue.visibilityTimeout(), true, Topology.Defaults.SHARD_SIZE,
                Topology.ConnectionsPerSubject.MAX);
    }

    /**
     * Every port 0 of a server that restarts on its port replaced with a free port; the SQS service binds
     * port 0 itself and reports the port it got.
     */
    LocalConfig withPortsResolved() throws IOException {
        return new LocalConfig(stateDir, host, free(mqttPort), free(httpsPort), free(webPort), stage, things,
                dynamoDbEndpoint, dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval,
                sqsPort, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    public LocalConfig withStateDir(Path dir) {
        return new LocalConfig(dir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    public LocalConfig withPorts(int mqtt, int https, int web) {
        return new LocalConfig(stateDir, host, mqtt, https, web, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    public LocalConfig withThings(List<String> names) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, names, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    public LocalConfig withDynamoDbEndpoint(URI endpoint) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, endpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    public LocalConfig withLimits(WebSocketGateway.Limits newLimits) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, newLimits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    public LocalConfig withDynaliteCli(Path cli) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, Optional.ofNullable(cli), limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    /**
     * How long a reading the fan-out received stays hidden from the next receive: on AWS, six times the
     * fan-out's timeout. Tests of redelivery take a shorter one.
     */
    public LocalConfig withReadingsVisibilityTimeout(Duration timeout) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort, timeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    /** The port of the SQS service; 0 picks a free one. */
    public LocalConfig withSqsPort(int port) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, port, readingsVisibilityTimeout,
                readingsMappingEnabled, shardSize, connectionsPerSubject);
    }

    /**
     * Whether the event source mapping from the readings queue to the fan-out polls when local mode starts
     * (its {@code Enabled}); disabled, readings stay in the queue until it is enabled through the Lambda
     * API's {@code UpdateEventSourceMapping}.
     */
    public LocalConfig withReadingsMappingEnabled(boolean enabled) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort,
                readingsVisibilityTimeout, enabled, shardSize, connectionsPerSubject);
    }

    /**
     * Connections one fan-out invocation posts to itself; above that it splits them into shards of this many, each
     * posted by a worker invocation (on AWS the function's {@code SHARD_SIZE} variable, default
     * {@value Topology.Defaults#SHARD_SIZE}).
     */
    public LocalConfig withShardSize(int connections) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort,
                readingsVisibilityTimeout, readingsMappingEnabled, connections, connectionsPerSubject);
    }

    /**
     * Open connections one token subject may hold (on AWS the Connect function's optional
     * {@code CONNECTIONS_PER_SUBJECT}, default {@value Topology.ConnectionsPerSubject#MAX}). The benchmarks raise it:
     * their many watchers, who would be many people, share local mode's one token.
     */
    public LocalConfig withConnectionsPerSubject(int connections) {
        return new LocalConfig(stateDir, host, mqttPort, httpsPort, webPort, stage, things, dynamoDbEndpoint,
                dynamoDbPort, dynaliteCli, limits, connectionCacheTtl, tokenTtl, expiryInterval, sqsPort,
                readingsVisibilityTimeout, readingsMappingEnabled, shardSize, connections);
    }

    private int free(int port) throws IOException {
        if (port != 0) {
            return port;
        }
        return FreePorts.pick(InetAddress.getByName(host));
    }
}
