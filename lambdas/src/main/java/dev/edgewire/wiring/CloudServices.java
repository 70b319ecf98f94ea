package dev.edgewire.wiring;

import dev.edgewire.runtime.Lazy;
import dev.edgewire.auth.SecretsManagerKey;
import dev.edgewire.auth.TokenKeys;
import dev.edgewire.broadcast.Broadcaster;
import dev.edgewire.broadcast.ConnectionPoster;
import dev.edgewire.broadcast.Continuation;
import dev.edgewire.broadcast.LambdaContinuation;
import dev.edgewire.broadcast.LambdaWorkers;
import dev.edgewire.broadcast.Workers;
import dev.edgewire.broadcast.SignedConnectionPoster;
import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.queue.ReadingsQueueClient;
import dev.edgewire.telemetry.ConnectionIdCache;
import dev.edgewire.telemetry.Sharding;
import dev.edgewire.contract.Topology;
import dev.edgewire.contract.Topology.Defaults;
import dev.edgewire.contract.Topology.Env;
import dev.edgewire.contract.Topology.Topics;
import dev.edgewire.contract.Metrics;
import dev.edgewire.runtime.FunctionMetrics;
import java.util.function.Consumer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.ServiceMetadata;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The composition root: SDK clients, settings and the plain classes the handlers call, wired in
 * one place. Lambda's no-argument handler constructors use {@link #fromEnvironment()}; local mode
 * and tests use {@link #builder()}.
 *
 * <p>Every client and collaborator is built on first use and then shared, so a function builds
 * only the clients it needs, and none per invocation. All clients share one url-connection HTTP
 * client: the lightest to start of the SDK's clients, with no native library.
 */
public final class CloudServices {

    private final Settings settings;
    private final Lazy<SdkHttpClient> httpClient;
    private final Lazy<DynamoDbClient> dynamoDb;
    private final Lazy<ApiGatewayManagementApiClient> managementApi;
    private final Lazy<IotDataPlaneClient> iotData;
    private final Supplier<byte[]> tokenKey;
    private final TokenKeys tokenKeys;
    private final Lazy<ConnectionRepository> connections;
    private final Lazy<ConnectionPoster> poster;
    private final Lazy<Broadcaster> broadcaster;
    private final Lazy<DevicePublisher> devicePublisher;
    private final Lazy<ConnectionIdCache> connectionIdCache;
    private final Lazy<Continuation> continuation;
    private final Lazy<Workers> workers;
    private final Lazy<SqsClient> sqs;
    private final Lazy<ReadingsQueueClient> readingsQueue;
    private final Lazy<FunctionMetrics> metrics;

    private CloudServices(Builder b) {
        this.settings = new Settings(b);
        this.httpClient = Lazy.of(() -> httpClient(settings.broadcastConcurrency, Duration.ofSeconds(10)));
        this.dynamoDb = Lazy.of(() -> b.dynamoDbClient != null ? b.dynamoDbClient
                : configure(DynamoDbClient.builder(), b.dynamoDbEndpoint).httpClient(httpClient.get()).build());
        this.managementApi = Lazy.of(() -> b.managementApiClient != null ? b.managementApiClient
                : configure(ApiGatewayManagementApiClient.builder(), required(b.callbackUrl, Env.CALLBACK_URL))
                        .httpClient(httpClient.get()).build());
        this.iotData = Lazy.of(() -> b.iotDataClient != null ? b.iotDataClient
                : configure(IotDataPlaneClient.builder(), required(b.iotDataEndpoint, Env.IOT_DATA_ENDPOINT))
                        .httpClient(httpClient.get()).build());
        if (b.tokenKey != null) {
            byte[] key = b.tokenKey.clone();
            this.tokenKey = key::clone;
            this.tokenKeys = TokenKeys.of(tokenKey);
        } else if (b.tokenSecretArn != null) {
            Lazy<SecretsManagerClient> secrets = Lazy.of(() ->
                    configure(SecretsManagerClient.builder(), null).httpClient(httpClient.get()).build());
            SecretsManagerKey fromSecret = new SecretsManagerKey(secrets, b.tokenSecretArn, settings.clock);
            this.tokenKey = () -> fromSecret.keys().getFirst();
            this.tokenKeys = fromSecret;
        } else {
            this.tokenKey = () -> {
                throw new IllegalStateException("no token key: set " + Env.TOKEN_SECRET_ARN + " or Builder.tokenKey");
            };
            this.tokenKeys = TokenKeys.of(tokenKey);
        }
        this.connections = Lazy.of(() -> new ConnectionRepository(dynamoDb.get(),
                required(settings.connectionsTable, Env.CONNECTIONS_TABLE), settings.clock, settings.scanSegments));
        // Posts skip the generated client's pipeline (see SignedConnectionPoster); a client given to the builder is used as is.
        this.poster = Lazy.of(() -> b.managementApiClient != null ? ConnectionPoster.of(b.managementApiClient)
                : new SignedConnectionPoster(httpClient.get(), settings.credentials, settings.region,
                        required(b.callbackUrl, Env.CALLBACK_URL)));
        this.broadcaster = Lazy.of(() -> new Broadcaster(poster.get(), connections.get(), settings.broadcastConcurrency));
        this.devicePublisher = Lazy.of(() -> new DevicePublisher(iotData.get(), settings.outboundTopic, settings.commandTopicTemplate));
        this.connectionIdCache = Lazy.of(() -> new ConnectionIdCache(connections.get(), settings.connectionCacheTtl, settings.clock));
        this.continuation = Lazy.of(() -> b.continuation != null ? b.continuation
                : new LambdaContinuation(httpClient.get(), settings.credentials, settings.region,
                        b.lambdaEndpoint != null ? b.lambdaEndpoint : lambdaEndpoint(settings.region),
                        b.continuationFunction));
        // A worker answers when its shard is done: its HTTP client waits as long as the worker may run.
        this.workers = Lazy.of(() -> b.workers != null ? b.workers
                : new LambdaWorkers(httpClient(settings.broadcastConcurrency,
                        Duration.ofSeconds(Topology.Function.FAN_OUT.timeoutSeconds() + 5L)),
                        settings.credentials, settings.region,
                        b.lambdaEndpoint != null ? b.lambdaEndpoint : lambdaEndpoint(settings.region), null));
        this.sqs = Lazy.of(() -> configure(SqsClient.builder(), b.sqsEndpoint).httpClient(httpClient.get()).build());
        this.readingsQueue = Lazy.of(() -> b.readingsQueue != null ? b.readingsQueue
                : new ReadingsQueueClient(sqs::get, () -> required(b.readingsQueueUrl, Env.READINGS_QUEUE_URL)));
        this.metrics = Lazy.of(() -> b.metricsListener != null
                ? FunctionMetrics.of(b.metricsNamespace, b.stage, b.metricsListener)
                : FunctionMetrics.of(b.metricsNamespace, b.stage));
    }

    /** Built from the {@link Env} variables and {@code AWS_REGION}, as Lambda sets them. */
    public static CloudServices fromEnvironment() {
        return fromEnvironment(System::getenv);
    }

    static CloudServices fromEnvironment(Function<String, String> env) {
        Builder b = builder().credentialsProvider(lambdaCredentials());
        String region = env.apply("AWS_REGION");
        if (region != null && !region.isBlank()) {
            b.region(Region.of(region));
        }
        ifSet(env, Env.CONNECTIONS_TABLE, b::connectionsTable);
        ifSet(env, Env.CALLBACK_URL, v -> b.callbackUrl(URI.create(v)));
        ifSet(env, Env.IOT_DATA_ENDPOINT, v -> b.iotDataEndpoint(v.contains("://") ? URI.create(v) : URI.create("https://" + v)));
        ifSet(env, Env.OUTBOUND_TOPIC, b::outboundTopic);
        ifSet(env, Env.COMMAND_TOPIC_TEMPLATE, b::commandTopicTemplate);
        ifSet(env, Env.TOKEN_SECRET_ARN, b::tokenSecretArn);
        ifSet(env, Env.CONTINUATION_FUNCTION, b::continuationFunction);
        ifSet(env, Env.READINGS_QUEUE_URL, b::readingsQueueUrl);
        ifSet(env, Env.STAGE, b::stage);
        ifSet(env, Env.POWERTOOLS_METRICS_NAMESPACE, b::metricsNamespace);
        ifSet(env, Env.BROADCAST_CONCURRENCY, v -> b.broadcastConcurrency((int) number(Env.BROADCAST_CONCURRENCY, v)));
        ifSet(env, Env.SCAN_SEGMENTS, v -> b.scanSegments((int) number(Env.SCAN_SEGMENTS, v)));
        ifSet(env, Env.SHARD_SIZE, v -> b.shardSize((int) number(Env.SHARD_SIZE, v)));
        ifSet(env, Env.CONNECTIONS_PER_SUBJECT, v -> b.connectionsPerSubject((int) number(Env.CONNECTIONS_PER_SUBJECT, v)));
        ifSet(env, Env.CONNECTION_CACHE_TTL_MS, v -> b.connectionCacheTtl(Duration.ofMillis(number(Env.CONNECTION_CACHE_TTL_MS, v))));
        return b.build();
    }

    /**
     * Where Lambda puts the role's credentials: in environment variables for an on-demand function,
     * and only behind the container-credentials endpoint ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI}
     * with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}) for a function restored from a SnapStart
     * snapshot, so that no credentials are frozen into it (Lambda Developer Guide, "Improving
     * startup performance with Lambda SnapStart", and its runtime environment variables page).
     * Just these two, in this order: the rest of the SDK's default chain (profile files, web
     * identity, instance metadata) never applies on Lambda and would only cost start-up time.
     */
    static AwsCredentialsProvider lambdaCredentials() {
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(EnvironmentVariableCredentialsProvider.create(),
                        ContainerCredentialsProvider.builder().build())
                .reuseLastProviderEnabled(true)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb.get();
    }

    public ApiGatewayManagementApiClient managementApi() {
        return managementApi.get();
    }

    public IotDataPlaneClient iotData() {
        return iotData.get();
    }

    /** The current token key; from Secrets Manager when configured by ARN, read again every five minutes. */
    public Supplier<byte[]> tokenKey() {
        return tokenKey;
    }

    /** The keys the authorizer accepts: the current one and, during a rotation, the previous one. */
    public TokenKeys tokenKeys() {
        return tokenKeys;
    }

    public Clock clock() {
        return settings.clock;
    }

    public String connectionsTable() {
        return settings.connectionsTable;
    }

    public String outboundTopic() {
        return settings.outboundTopic;
    }

    public String commandTopicTemplate() {
        return settings.commandTopicTemplate;
    }

    public int broadcastConcurrency() {
        return settings.broadcastConcurrency;
    }

    public int scanSegments() {
        return settings.scanSegments;
    }

    /** Open connections one token subject may hold ({@link Topology.ConnectionsPerSubject}). */
    public int connectionsPerSubject() {
        return settings.connectionsPerSubject;
    }

    public Duration connectionCacheTtl() {
        return settings.connectionCacheTtl;
    }

    public ConnectionRepository connections() {
        return connections.get();
    }

    /** How the broadcaster posts to one connection. */
    public ConnectionPoster poster() {
        return poster.get();
    }

    public Broadcaster broadcaster() {
        return broadcaster.get();
    }

    public DevicePublisher devicePublisher() {
        return devicePublisher.get();
    }

    public ConnectionIdCache connectionIdCache() {
        return connectionIdCache.get();
    }

    /** The readings queue: where sendMessage queues messages, and where the fan-out receives more to coalesce. */
    public ReadingsQueueClient readingsQueue() {
        return readingsQueue.get();
    }

    /** When and where the fan-out splits a large audience into worker shards. */
    public Sharding sharding() {
        return new Sharding(workers.get(), settings.shardSize, Defaults.WORKERS_IN_FLIGHT);
    }

    /** The function's metrics: namespace and stage from the environment, one document per invocation. */
    public FunctionMetrics metrics() {
        return metrics.get();
    }

    /** Where a broadcast hands the connections it had no time left for. */
    public Continuation continuation() {
        return continuation.get();
    }

    private <B extends AwsClientBuilder<B, C>, C> B configure(B builder, URI endpoint) {
        builder.region(settings.region).credentialsProvider(settings.credentials);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    /** Lambda's regional endpoint, unless {@code AWS_ENDPOINT_URL_LAMBDA} or {@code AWS_ENDPOINT_URL} names another, as the SDK's clients do. */
    private static URI lambdaEndpoint(Region region) {
        for (String name : new String[] {"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"}) {
            String value = System.getenv(name);
            if (value != null && !value.isBlank()) {
                return URI.create(value.trim());
            }
        }
        return URI.create("https://" + ServiceMetadata.of("lambda").endpointFor(region));
    }

    private static SdkHttpClient httpClient(int concurrency, Duration readTimeout) {
        // HttpURLConnection keeps only 5 idle connections per host unless told otherwise; a broadcast
        // with more in flight would open a new TLS connection for most posts. Read once by the JDK,
        // before the first connection, so it is set here, and never over a value someone chose.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(Math.max(5, concurrency)));
        }
        return urlConnectionClient(readTimeout);
    }

    /**
     * A client of the same implementation and settings as the functions' own, for priming's round
     * trips ({@link Priming}); it leaves {@code http.maxConnections} to the function's own client.
     */
    static SdkHttpClient primingHttpClient() {
        return urlConnectionClient(Duration.ofSeconds(10));
    }

    private static SdkHttpClient urlConnectionClient(Duration readTimeout) {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(readTimeout)
                .build();
    }

    private static <T> T required(T value, String envName) {
        if (value == null) {
            throw new IllegalStateException(envName + " is not set");
        }
        return value;
    }

    private static long number(String name, String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0 || n > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalStateException(name + " must be a whole number of at least 0, was '" + value + "'");
        }
    }

    private static void ifSet(Function<String, String> env, String name, java.util.function.Consumer<String> setter) {
        String value = env.apply(name);
        if (value != null && !value.isBlank()) {
            setter.accept(value);
        }
    }

    private static final class Settings {
        final Region region;
        final AwsCredentialsProvider credentials;
        final String connectionsTable;
        final String outboundTopic;
        final String commandTopicTemplate;
        final int broadcastConcurrency;
        final int scanSegments;
        final int shardSize;
        final int connectionsPerSubject;
        final Duration connectionCacheTtl;
        final Clock clock;

        Settings(Builder b) {
            this.region = b.region != null ? b.region : Region.US_EAST_1;
            this.credentials = b.credentials != null ? b.credentials : DefaultCredentialsProvider.builder().build();
            this.connectionsTable = b.connectionsTable;
            this.outboundTopic = b.outboundTopic;
            this.commandTopicTemplate = b.commandTopicTemplate;
            this.broadcastConcurrency = b.broadcastConcurrency;
            this.scanSegments = b.scanSegments;
            this.shardSize = b.shardSize;
            this.connectionsPerSubject = b.connectionsPerSubject;
            this.connectionCacheTtl = b.connectionCacheTtl;
            this.clock = b.clock;
        }
    }

    /** Settings and overrides; anything not set takes the Lambda defaults. */
    public static final class Builder {
        private Region region;
        private AwsCredentialsProvider credentials;
        private URI dynamoDbEndpoint;
        private URI callbackUrl;
        private URI iotDataEndpoint;
        private DynamoDbClient dynamoDbClient;
        private ApiGatewayManagementApiClient managementApiClient;
        private IotDataPlaneClient iotDataClient;
        private byte[] tokenKey;
        private String tokenSecretArn;
        private String connectionsTable;
        private String outboundTopic = Topics.GENERAL_OUTBOUND;
        private String commandTopicTemplate = Topics.COMMANDS_TEMPLATE;
        private int broadcastConcurrency = Defaults.BROADCAST_CONCURRENCY;
        private int scanSegments = Defaults.SCAN_SEGMENTS;
        private Duration connectionCacheTtl = Duration.ofMillis(Defaults.CONNECTION_CACHE_TTL_MS);
        private Clock clock = Clock.systemUTC();
        private String continuationFunction;
        private Continuation continuation;
        private URI lambdaEndpoint;
        private URI sqsEndpoint;
        private String readingsQueueUrl;
        private ReadingsQueueClient readingsQueue;
        private int shardSize = Defaults.SHARD_SIZE;
        private int connectionsPerSubject = Topology.ConnectionsPerSubject.MAX;
        private Workers workers;
        private String stage = Topology.DEFAULT_STAGE;
        private String metricsNamespace = Metrics.NAMESPACE;
        private Consumer<String> metricsListener;

        private Builder() {
        }

        /** The stage the function serves ({@link Env#STAGE}): the value of the metrics' one dimension. */
        public Builder stage(String stage) {
            this.stage = Objects.requireNonNull(stage, "stage");
            return this;
        }

        /** The metrics' namespace ({@link Env#POWERTOOLS_METRICS_NAMESPACE}); {@link Metrics#NAMESPACE} unless set. */
        public Builder metricsNamespace(String namespace) {
            this.metricsNamespace = Objects.requireNonNull(namespace, "namespace");
            return this;
        }

        /**
         * Also hands each metrics document (one EMF JSON object) to {@code listener}, besides standard
         * output: local mode reads its functions' metrics this way.
         */
        public Builder metricsListener(Consumer<String> listener) {
            this.metricsListener = listener;
            return this;
        }

        /** Connections one fan-out invocation posts to before it splits them into worker shards. */
        public Builder shardSize(int shardSize) {
            if (shardSize < 1) {
                throw new IllegalArgumentException(Env.SHARD_SIZE + " must be at least 1, was " + shardSize);
            }
            this.shardSize = shardSize;
            return this;
        }

        /** Open connections one token subject may hold. */
        public Builder connectionsPerSubject(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException(Env.CONNECTIONS_PER_SUBJECT + " must be at least 1, was " + connections);
            }
            this.connectionsPerSubject = connections;
            return this;
        }

        /** How shards are run, instead of invoking the fan-out function (local mode, tests). */
        public Builder workers(Workers workers) {
            this.workers = workers;
            return this;
        }

        /** The readings queue's URL ({@link Env#READINGS_QUEUE_URL}). */
        public Builder readingsQueueUrl(String url) {
            this.readingsQueueUrl = url;
            return this;
        }

        /** SQS's endpoint; without one, the region's (or {@code AWS_ENDPOINT_URL_SQS}). */
        public Builder sqsEndpoint(URI endpoint) {
            this.sqsEndpoint = endpoint;
            return this;
        }

        /** A ready client of the readings queue instead of one built from the settings here (local mode, tests). */
        public Builder readingsQueue(ReadingsQueueClient queue) {
            this.readingsQueue = queue;
            return this;
        }

        /** ARN of the function that continues broadcasts; without one, a function continues in itself. */
        public Builder continuationFunction(String arn) {
            this.continuationFunction = arn;
            return this;
        }

        /** Lambda's endpoint for continuations; without one, the region's (or {@code AWS_ENDPOINT_URL_LAMBDA}). */
        public Builder lambdaEndpoint(URI endpoint) {
            this.lambdaEndpoint = endpoint;
            return this;
        }

        /** How broadcasts are continued, instead of invoking a Lambda function (local mode, tests). */
        public Builder continuation(Continuation continuation) {
            this.continuation = continuation;
            return this;
        }

        /** Region of every client; without one, us-east-1 (any region works against local endpoints). */
        public Builder region(Region region) {
            this.region = region;
            return this;
        }

        /** For example {@code StaticCredentialsProvider} with dummy keys against local mode. */
        public Builder credentialsProvider(AwsCredentialsProvider credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder dynamoDbEndpoint(URI endpoint) {
            this.dynamoDbEndpoint = endpoint;
            return this;
        }

        /** Base URL of the {@code @connections} API, the stage URL in https form. */
        public Builder callbackUrl(URI callbackUrl) {
            this.callbackUrl = callbackUrl;
            return this;
        }

        public Builder iotDataEndpoint(URI endpoint) {
            this.iotDataEndpoint = endpoint;
            return this;
        }

        /** A ready client instead of one built from the settings here; the caller closes it. */
        public Builder dynamoDbClient(DynamoDbClient client) {
            this.dynamoDbClient = client;
            return this;
        }

        /** A ready client instead of one built from the settings here; the caller closes it. */
        public Builder managementApiClient(ApiGatewayManagementApiClient client) {
            this.managementApiClient = client;
            return this;
        }

        /** A ready client instead of one built from the settings here; the caller closes it. */
        public Builder iotDataClient(IotDataPlaneClient client) {
            this.iotDataClient = client;
            return this;
        }

        /** The token key itself, instead of reading it from Secrets Manager. */
        public Builder tokenKey(byte[] key) {
            this.tokenKey = key == null ? null : key.clone();
            return this;
        }

        public Builder tokenSecretArn(String arn) {
            this.tokenSecretArn = arn;
            return this;
        }

        public Builder connectionsTable(String tableName) {
            this.connectionsTable = tableName;
            return this;
        }

        public Builder outboundTopic(String topic) {
            this.outboundTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        public Builder commandTopicTemplate(String template) {
            this.commandTopicTemplate = Objects.requireNonNull(template, "template");
            return this;
        }

        public Builder broadcastConcurrency(int maxInFlight) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("broadcast concurrency must be at least 1, was " + maxInFlight);
            }
            this.broadcastConcurrency = maxInFlight;
            return this;
        }

        public Builder scanSegments(int segments) {
            if (segments < 1) {
                throw new IllegalArgumentException("scan segments must be at least 1, was " + segments);
            }
            this.scanSegments = segments;
            return this;
        }

        /** How long the fan-out reuses a read of the connection ids; also its staleness bound. */
        public Builder connectionCacheTtl(Duration ttl) {
            this.connectionCacheTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public CloudServices build() {
            return new CloudServices(this);
        }
    }
}
