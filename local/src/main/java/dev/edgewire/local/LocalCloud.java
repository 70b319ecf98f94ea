package dev.edgewire.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.broadcast.ContinuationEvent;
import dev.edgewire.broadcast.ShardEvent;
import dev.edgewire.broadcast.ShardOutcome;
import dev.edgewire.contract.Tokens;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.Function;
import dev.edgewire.local.cost.CostMeter;
import dev.edgewire.local.cost.CostReport;
import dev.edgewire.local.cost.Prices;
import dev.edgewire.local.dashboard.DashboardSite;
import dev.edgewire.local.dashboard.OperationsFigures;
import dev.edgewire.local.http.CloudCredentials;
import dev.edgewire.local.http.JettyServers;
import dev.edgewire.local.http.PublishEndpoint;
import dev.edgewire.local.lambda.AsyncInvocations;
import dev.edgewire.local.lambda.EventSourceMapping;
import dev.edgewire.local.lambda.EventSourceMappingsApi;
import dev.edgewire.local.lambda.FunctionRoles;
import dev.edgewire.local.lambda.LocalLambdas;
import dev.edgewire.local.lambda.SqsEventSource;
import dev.edgewire.local.mqtt.LocalBroker;
import dev.edgewire.local.rules.RuleActions;
import dev.edgewire.local.rules.SqsAction;
import dev.edgewire.local.rules.TopicRuleEngine;
import dev.edgewire.local.sqs.LocalQueues;
import dev.edgewire.local.store.ConnectionTableStore;
import dev.edgewire.local.websocket.ConnectionRegistry;
import dev.edgewire.local.websocket.ConnectionsApiHandler;
import dev.edgewire.local.websocket.PostRefusals;
import dev.edgewire.local.websocket.WebSocketGateway;
import dev.edgewire.standins.clients.Envelopes;
import dev.edgewire.standins.dynamodb.Dynalite;
import dev.edgewire.local.policy.ObserverPolicy;
import dev.edgewire.standins.pki.LocalPki;
import dev.edgewire.wiring.CloudServices;
import dev.edgewire.wiring.HandlerFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManager;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/**
 * The whole cloud side on loopback: the local store (dynalite), the SQS service (ElasticMQ), the MQTT
 * broker, the HTTPS publish endpoint, the topic rules and the WebSocket API with its {@code @connections}
 * API, running the handler classes of the Lambda functions in this JVM, wired through the same
 * {@link CloudServices} and {@link HandlerFactory} as on Lambda. This class starts and stops the parts
 * and can stop the broker or the store alone, as an outage would.
 *
 * <p>As on AWS, the topic rules send each reading to the readings queue, {@value #READINGS_QUEUE}, and the
 * fan-out consumes it through an event source mapping ({@link SqsEventSource}). No reading that a rule
 * accepted is dropped silently; queues keep the failures for a user to list:
 * {@value #READINGS_DEAD_LETTERS_QUEUE} the readings the fan-out failed on every receive,
 * {@value #FAILED_DELIVERIES_QUEUE} the rules' error-action messages (the readings queue refused the
 * reading), and {@value #FAILED_INVOCATIONS_QUEUE}, the fan-out's on-failure destination, Lambda's
 * invocation records of continued broadcasts that failed every attempt.
 *
 * <p>Fault injection, off unless asked: {@link #crashWorkers(int)} makes worker invocations die midway
 * through their shard, {@link #refusePosts(Collection, Duration)} has the {@code @connections} API refuse
 * posts to some connections for a while.
 */
public final class LocalCloud implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCloud.class);
    /** Local mode's own AWS identity; the SDK clients of the handlers sign with it. */
    public static final CloudCredentials CREDENTIALS = new CloudCredentials("LOCALEDGEWIRE", "local-edgewire-secret");
    public static final String TABLE_NAME = "edgewire-connections";
    /**
     * Asynchronous invocations at once (the fan-out's continuations), like a function's reserved
     * concurrency.
     */
    public static final int RULE_CONCURRENCY = 8;
    /** Asynchronous invocations waiting for a free one, like Lambda's asynchronous event queue (bounded here). */
    private static final int RULE_QUEUE = 10_000;
    /** Lambda retries after 1 and 2 minutes; local mode after 2 and 4 seconds. */
    private static final Duration RULE_RETRY_DELAY = Duration.ofSeconds(2);
    /** Rule outputs that may wait for the readings queue; beyond, the error action gets them. */
    private static final int SQS_ACTION_BUFFER = 10_000;
    /** SendMessageBatch calls in flight from the rules' SQS action. */
    private static final int SQS_ACTION_SENDERS = 2;
    /** The queue between the rules and the fan-out (output {@code ReadingsQueueUrl}). */
    public static final String READINGS_QUEUE = "edgewire-readings";
    /** The readings queue's dead-letter queue (output {@code ReadingsDeadLettersQueueUrl}). */
    public static final String READINGS_DEAD_LETTERS_QUEUE = "edgewire-readings-dead-letters";
    private static final int BROADCAST_CONCURRENCY = 32;
    /** The queue of the rules' error action (output {@code FailedDeliveriesQueueUrl}, as on AWS). */
    public static final String FAILED_DELIVERIES_QUEUE = "edgewire-failed-deliveries";
    /** The on-failure destination of the fan-out's asynchronous invocations (output {@code FailedInvocationsQueueUrl}). */
    public static final String FAILED_INVOCATIONS_QUEUE = "edgewire-failed-invocations";

    /** The file in the state folder that {@link #close()} writes the run's {@link CostReport} to. */
    public static final String COST_FILE = "cost.json";
    /** The WebSocket token key in the state folder, owner-only, as the deployed stack's secret holds it (hex text). */
    public static final String TOKEN_KEY_FILE = LocalOutputs.TOKEN_KEY_FILE;

    private final LocalConfig config;
    private final ObjectMapper mapper = new ObjectMapper();
    private final CostMeter meter = new CostMeter();
    /** The functions' metrics documents, read back for the dashboard's operations panel. */
    private final OperationsFigures operations;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ttl-expiry");
        t.setDaemon(true);
        return t;
    });

    private LocalPki pki;
    private LocalPki.Identity observer;
    private Dynalite dynalite;
    private Path dynaliteCli;
    private DynamoDbClient storeClient;
    private LocalQueues queues;
    private SqsAction sqsAction;
    private LocalLambdas lambdas;
    private EventSourceMapping readingsToFanOut;
    private SdkHttpClient sdkHttp;
    private IotDataPlaneClient iotDataClient;
    private volatile LocalBroker broker;
    private Server https;
    private Server web;
    private WebSocketGateway gateway;
    private AsyncInvocations asyncInvocations;
    private RuleActions ruleActions;
    private URI dynamoEndpoint;
    private volatile String token;
    private Path outputsFile;
    private Path awsDir;
    private final Map<String, LocalPki.Identity> things = new LinkedHashMap<>();
    private final AtomicInteger workerCrashes = new AtomicInteger();
    private final PostRefusals postRefusals = new PostRefusals();

    private LocalCloud(LocalConfig config) throws IOException {
        this.config = config.withPortsResolved();
        this.operations = new OperationsFigures(Clock.systemUTC(), this.config.stage());
    }

    /** Starts everything; on failure, stops what had started and rethrows. */
    public static LocalCloud start(LocalConfig config) throws Exception {
        LocalCloud cloud = new LocalCloud(config);
        try {
            cloud.startAll();
            return cloud;
        } catch (Exception | Error e) {
            try {
                cloud.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private void startAll() throws Exception {
        // Owner-only: it holds keys, the token key, stores and a token.
        Path state = LocalPki.ownerOnlyDirectory(config.stateDir());
        // HttpURLConnection keeps 5 idle connections per host unless told otherwise, and reads the
        // setting once, at the first connection: size it for every post in flight, so posts reuse
        // connections instead of opening new ones.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(RULE_CONCURRENCY * BROADCAST_CONCURRENCY));
        }
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey()));
        // The SQS service takes a while (its actor system, its web server, its H2 store): it starts
        // first, beside the rest, and local mode is ready when it is.
        queues = LocalQueues.start(config.host(), config.sqsPort(), state.resolve("sqs"), Region.US_EAST_1,
                credentials, new LocalQueues.Names(READINGS_QUEUE, READINGS_DEAD_LETTERS_QUEUE, FAILED_DELIVERIES_QUEUE,
                        FAILED_INVOCATIONS_QUEUE, config.readingsVisibilityTimeout()), meter);
        pki = LocalPki.openOrCreate(state.resolve("certs"));
        for (String thing : config.things()) {
            things.put(thing, pki.thing(thing));
        }
        observer = pki.observer(ObserverPolicy.CLIENT_ID);
        byte[] tokenKey = LocalOutputs.tokenKey(state);
        awsDir = LocalOutputs.writeAwsProfile(state, CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey());
        sdkHttp = UrlConnectionHttpClient.builder()
                .tlsTrustManagersProvider(() -> trustManagers(pki))
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build();
        dynamoEndpoint = config.dynamoDbEndpoint();
        if (dynamoEndpoint == null) {
            dynaliteCli = config.dynaliteCli().or(() -> Dynalite.findCli(Path.of("")))
                    .orElseThrow(() -> new IOException("dynalite not found: run ./mvnw once from the checkout root "
                            + "(it installs node_modules from package-lock.json), or pass --dynamodb-endpoint"));
            dynalite = Dynalite.start(dynaliteCli, state.resolve("dynamodb"), config.dynamoDbPort(),
                    state.resolve("dynalite.log"));
            dynamoEndpoint = dynalite.endpoint();
        }
        storeClient = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                .endpointOverride(dynamoEndpoint).httpClient(sdkHttp).build();
        ConnectionTableStore table = new ConnectionTableStore(storeClient, TABLE_NAME, Clock.systemUTC());
        if (table.createIfMissing()) {
            LOG.info("created table {} in {}", TABLE_NAME, dynamoEndpoint);
        }

        int webPort = config.webPort();
        int httpsPort = config.httpsPort();
        URI callbackUrl = URI.create("http://127.0.0.1:" + webPort + "/" + config.stage());
        iotDataClient = IotDataPlaneClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
                .endpointOverride(URI.create("https://127.0.0.1:" + httpsPort)).httpClient(sdkHttp).build();
        // Each function gets only what its role and environment would give it on AWS.
        FunctionRoles.Shared shared = new FunctionRoles.Shared(Region.US_EAST_1, credentials, storeClient, TABLE_NAME,
                callbackUrl, iotDataClient, tokenKey,
                // All invocations share one keep-alive pool of the SDK's HTTP client, sized above for
                // RULE_CONCURRENCY invocations with this many posts in flight each.
                BROADCAST_CONCURRENCY, config.connectionCacheTtl(), this::continueBroadcast, this::runShard,
                queues::client, queues::readingsUrl, config.shardSize(), config.stage(), operations::accept,
                config.connectionsPerSubject());
        Map<Function, Object> handlers = new EnumMap<>(Function.class);
        for (Function f : Function.values()) {
            handlers.put(f, HandlerFactory.create(f, FunctionRoles.services(f, shared)));
        }
        lambdas = new LocalLambdas(handlers, meter);
        asyncInvocations = new AsyncInvocations(lambdas, mapper, RULE_CONCURRENCY, RULE_QUEUE, RULE_RETRY_DELAY,
                FAILED_INVOCATIONS_QUEUE, queues::toFailedInvocations);
        sqsAction = new SqsAction(queues::client, queues::readingsUrl, SQS_ACTION_BUFFER, SQS_ACTION_SENDERS);
        ruleActions = new RuleActions(new TopicRuleEngine(Topology.TOPIC_RULES, mapper, Clock.systemUTC()),
                sqsAction, READINGS_QUEUE, mapper, FAILED_DELIVERIES_QUEUE, queues::toFailedDeliveries, meter);
        readingsToFanOut = new EventSourceMapping(Topology.ReadingsQueue.CONSUMER, queues::readingsArn,
                Topology.ReadingsQueue.BATCH_SIZE, Topology.ReadingsQueue.MAX_CONCURRENCY, config.readingsMappingEnabled(),
                () -> new SqsEventSource(lambdas, Topology.ReadingsQueue.CONSUMER, queues::client,
                        queues::readingsUrl, queues::readingsArn, Region.US_EAST_1.id(), Topology.ReadingsQueue.BATCH_SIZE,
                        Topology.ReadingsQueue.MAX_CONCURRENCY).start(), Clock.systemUTC());

        startBroker();

        https = JettyServers.https(config.host(), httpsPort, pki);
        https.setHandler(new PublishEndpoint(CREDENTIALS, meter, (thing, certificateId, topic, payload, qos) -> {
            LocalBroker current = broker;
            if (current == null) {
                throw new PublishEndpoint.Unavailable("the MQTT broker is stopped");
            }
            current.publish(topic, payload, qos);
            // IoT Core has no client id for an HTTPS publish: clientid() is "n/a" and principal() the certificate id.
            ruleActions.onMessage(TopicRuleEngine.NOT_MQTT, certificateId, thing, topic, payload);
        }));
        https.start();

        web = JettyServers.http(config.host(), webPort);
        ConnectionRegistry registry = new ConnectionRegistry();
        gateway = new WebSocketGateway(lambdas, registry, config.limits(), config.stage(),
                new ObjectMapper(), meter);
        DashboardSite dashboard = new DashboardSite(web,
                URI.create("ws://127.0.0.1:" + webPort + "/" + config.stage()), () -> token, operations);
        web.setHandler(new EventSourceMappingsApi(CREDENTIALS, List.of(readingsToFanOut),
                gateway.handler(web, new ConnectionsApiHandler(registry, CREDENTIALS, postRefusals, dashboard))));
        web.start();

        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                table.expire();
            } catch (RuntimeException e) {
                LOG.warn("TTL expiry pass failed: {}", e.toString());
            }
        }, 0, config.expiryInterval().toMillis(), TimeUnit.MILLISECONDS);

        queues.awaitStarted();
        readingsToFanOut.start();
        // Every device: the README's commands send to any thing with the token local mode prints.
        token = Tokens.mint(tokenKey, "local-user", Tokens.Grant.ALL, config.tokenTtl(), Clock.systemUTC());
        outputsFile = LocalOutputs.write(state, outputs());
    }

    /**
     * A broadcast's rest, handed over as on AWS: an asynchronous invocation of the continuation
     * target, with Lambda's retries and failed-invocations queue.
     */
    private void continueBroadcast(String payload, List<String> connectionIds, int attempt, Context context) {
        String requestId = UUID.randomUUID().toString();
        Function target = Topology.CONTINUATION_TARGET;
        asyncInvocations.invokeEvent("continuation " + requestId + " of " + target, target,
                mapper.valueToTree(new ContinuationEvent(payload, connectionIds, attempt).toEvent()), requestId);
    }

    /**
     * A shard of a large broadcast, run as on AWS: a synchronous invocation of the fan-out with the
     * shard event, as JSON in and out, on the coordinator's thread.
     */
    private ShardOutcome runShard(ShardEvent shard, Context context) {
        if (workerCrashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            crashMidway(shard);
        }
        Object answer = lambdas.invoke(Topology.CONTINUATION_TARGET, mapper.convertValue(shard.toEvent(), Map.class));
        ShardOutcome outcome = ShardOutcome.from(mapper.convertValue(answer, Map.class));
        if (outcome == null) {
            throw new IllegalStateException("the worker answered something that is not a shard outcome: " + answer);
        }
        return outcome;
    }

    /**
     * A worker that dies midway (fault injection): it posts every frame to the first half of its shard's
     * connections, then its invocation fails as Lambda reports a runtime that exited (out of memory,
     * killed). The coordinator learns nothing of the posts it made, as on AWS.
     */
    private void crashMidway(ShardEvent shard) {
        List<String> ids = shard.connectionIds();
        List<String> half = ids.subList(0, ids.size() / 2);
        Object answer = lambdas.invoke(Topology.CONTINUATION_TARGET,
                mapper.convertValue(new ShardEvent(shard.frames(), half).toEvent(), Map.class));
        ShardOutcome posted = ShardOutcome.from(mapper.convertValue(answer, Map.class));
        int envelopes = shard.frames().stream().mapToInt(Envelopes::count).sum();
        LOG.warn("fault injection: a worker for {} connections crashed after posting its {} frames ({} envelopes) to {} "
                        + "of them ({} posts delivered)", ids.size(), shard.frames().size(), envelopes, half.size(),
                posted == null ? "?" : posted.delivered());
        throw new IllegalStateException("Runtime.ExitError: Runtime exited with error: signal: killed "
                + "(local mode's fault injection, --fail-workers)");
    }

    /**
     * Fault injection: the next {@code n} worker invocations of the fan-out (the shards of an audience above
     * the shard size) die midway through their shard, each after posting to half its connections. Adds to
     * crashes still pending.
     */
    public void crashWorkers(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("a number of worker crashes must be at least 0, was " + n);
        }
        workerCrashes.addAndGet(n);
    }

    /** Worker crashes asked for and not yet happened. */
    public int pendingWorkerCrashes() {
        return workerCrashes.get();
    }

    /**
     * Fault injection: for {@code duration}, the {@code @connections} API refuses every post to these
     * connections with 429 {@code LimitExceededException}, as API Gateway refuses a post when the client is
     * over its request rate or its WebSocket buffer is full; posts to other connections go through.
     */
    public void refusePosts(Collection<String> connectionIds, Duration duration) {
        postRefusals.refuse(connectionIds, duration);
        LOG.warn("fault injection: posts to {} connections are refused with LimitExceededException for {} ms",
                connectionIds.size(), duration.toMillis());
    }

    /** Posts the {@code @connections} API refused by {@link #refusePosts(Collection, Duration)}, since start. */
    public long refusedPosts() {
        return postRefusals.refused();
    }

    /**
     * Stops the MQTT broker while the rest keeps running, as a broker outage would: devices lose their
     * connections and sessions (persistence is in memory). {@link #startBroker()} brings it back on
     * the same port.
     */
    public synchronized void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
            LOG.warn("MQTT broker stopped on port {}", config.mqttPort());
        }
    }

    /** Starts the MQTT broker on its port (again, after {@link #stopBroker()}). */
    public synchronized void startBroker() throws IOException, GeneralSecurityException, InterruptedException {
        if (broker == null) {
            LocalBroker started = new LocalBroker(config.stateDir().resolve("broker"), pki, config.host(),
                    config.mqttPort(), ruleActions::onMessage, meter);
            started.start();
            broker = started;
        }
    }

    /**
     * Stops the local store while the rest keeps running, as a DynamoDB outage would: handlers that
     * need the table fail until {@link #startStore()} starts it again on the same port and data.
     */
    public synchronized void stopStore() {
        if (dynalite == null) {
            throw new IllegalStateException("the store is not local mode's own (--dynamodb-endpoint)");
        }
        dynalite.close();
        LOG.warn("store stopped on {}", dynamoEndpoint);
    }

    /** Starts the local store again on its port and data, after {@link #stopStore()}. */
    public synchronized void startStore() throws IOException, InterruptedException {
        if (dynalite == null) {
            throw new IllegalStateException("the store is not local mode's own (--dynamodb-endpoint)");
        }
        if (!dynalite.isAlive()) {
            Path state = config.stateDir();
            dynalite = Dynalite.start(dynaliteCli, state.resolve("dynamodb"), dynalite.port(),
                    state.resolve("dynalite.log"));
            LOG.info("store started again on {}", dynamoEndpoint);
        }
    }

    /** Messages the broker and the HTTPS endpoint accepted (authorised publishes), since start. */
    public long acceptedMessages() {
        return ruleActions.acceptedMessages();
    }

    /** Readings the topic rules could not send to the readings queue, since start (kept in failed deliveries). */
    public long droppedRuleActions() {
        return ruleActions.droppedActions();
    }

    /** Failure records sent to the failure queues, since start. */
    public long keptFailures() {
        return queues.kept();
    }

    /** Failed readings whose record could not be sent to a failure queue (each logged whole), since start. */
    public long unkeptFailures() {
        return queues.unkept();
    }

    /** The SQS service's endpoint, for any SDK or the AWS CLI ({@code --endpoint-url}). */
    public URI sqsEndpoint() {
        return queues.endpoint();
    }

    /** The outputs, with the key names of {@code cdk deploy --outputs-file}. */
    public Map<String, String> outputs() {
        return LocalOutputs.of(new LocalOutputs.Endpoints(webPort(), config.stage(), mqttPort(), httpsPort(),
                dynamoEndpoint, queues.endpoint(), queues.readingsUrl(), queues.readingsDeadLettersUrl(),
                queues.failedDeliveriesUrl(),
                queues.failedInvocationsUrl(), awsDir), pki, things, observer, token);
    }

    /** What this run would cost on AWS so far; after {@link #close()}, the whole run's. */
    public CostReport costReport() {
        return meter.report(Prices.US_EAST_1);
    }

    public Path outputsFile() {
        return outputsFile;
    }

    public String token() {
        return token;
    }

    public LocalPki pki() {
        return pki;
    }

    public Map<String, LocalPki.Identity> things() {
        return things;
    }

    /** The observer's identity ({@link ObserverPolicy}): it may subscribe to every device's topics, publish nothing. */
    public LocalPki.Identity observer() {
        return observer;
    }

    public int mqttPort() {
        return config.mqttPort();
    }

    public int httpsPort() {
        return JettyServers.port(https);
    }

    public int webPort() {
        return JettyServers.port(web);
    }

    /** The figures of the dashboard's operations panel, from the functions' metrics documents. */
    public OperationsFigures operations() {
        return operations;
    }

    /** The live dashboard page, already pointed at this stage. */
    public URI dashboardUrl() {
        return URI.create("http://127.0.0.1:" + webPort() + "/");
    }

    public URI dynamoDbEndpoint() {
        return dynamoEndpoint;
    }

    public DynamoDbClient storeClient() {
        return storeClient;
    }

    /**
     * Mints another token for the WebSocket API, as a user of a deployed stack would with the secret,
     * that may command what {@code grant} names.
     */
    public String mintToken(String subject, Tokens.Grant grant, Duration ttl) throws IOException {
        return Tokens.mint(LocalOutputs.tokenKey(config.stateDir()), subject, grant, ttl, Clock.systemUTC());
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.shutdown(Duration.ofSeconds(10));
        }
        JettyServers.stop(web);
        JettyServers.stop(https);
        stopBroker();
        if (ruleActions != null && ruleActions.droppedActions() > 0) {
            LOG.warn("rule actions: the readings queue refused {} readings in all, each kept in the failed-deliveries queue",
                    ruleActions.droppedActions());
        }
        housekeeping.shutdownNow();
        if (readingsToFanOut != null) {
            readingsToFanOut.close();
        }
        if (sqsAction != null) {
            sqsAction.close();
        }
        if (asyncInvocations != null) {
            asyncInvocations.close();
        }
        if (queues != null) {
            queues.close();
        }
        if (iotDataClient != null) {
            iotDataClient.close();
        }
        if (storeClient != null) {
            storeClient.close();
        }
        if (sdkHttp != null) {
            sdkHttp.close();
        }
        if (dynalite != null) {
            dynalite.close();
        }
        writeCostReport();
    }

    /** The run's cost as JSON in the state folder ({@value #COST_FILE}), for benchmarks to read. */
    private void writeCostReport() {
        try {
            costReport().write(config.stateDir().resolve(COST_FILE));
        } catch (IOException | RuntimeException e) {
            LOG.warn("the cost report could not be written to {}: {}", config.stateDir().resolve(COST_FILE), e.toString());
        }
    }

    private static TrustManager[] trustManagers(LocalPki pki) {
        try {
            return pki.trustManagers().getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot trust the local CA", e);
        }
    }
}
