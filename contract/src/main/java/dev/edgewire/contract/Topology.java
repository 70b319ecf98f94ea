package dev.edgewire.contract;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The one declaration of the system's shape: the WebSocket routes and the function behind each,
 * the IoT topic rules, the topics every device may use, and the environment variable names.
 *
 * <p>The CDK app ({@code infra/}) and local mode ({@code local/}) both read this class, so the
 * deployed system and the one on a laptop cannot drift apart. Nothing here talks to AWS.
 */
public final class Topology {

    /** API Gateway route selection: the {@code action} field of the JSON body. */
    public static final String ROUTE_SELECTION_EXPRESSION = "$request.body.action";

    /** Query-string parameter that carries the WebSocket token on {@code $connect}. */
    public static final String TOKEN_QUERY_PARAMETER = "token";

    /** Default WebSocket stage name (CDK context {@code stage} overrides it). */
    public static final String DEFAULT_STAGE = "demo";

    /** Default IoT thing name (CDK context {@code thingName} overrides it). */
    public static final String DEFAULT_THING_NAME = "thing-1";

    /**
     * Most things one deployment provisions from a folder of CSRs. CloudFormation allows 500
     * resources in a stack ("Resources" in
     * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html);
     * each thing takes 4 in the stateful stack (thing, certificate, and its attachments to the
     * thing and to the policy), and the stack has 4 more (table, secret, the shared IoT policy and
     * the CDK CLI's metadata resource): (500 - 4) / 4 = 124. More devices need a second deployment
     * or fleet provisioning.
     */
    public static final int MAX_THINGS_PER_DEPLOYMENT = 124;

    private Topology() {
    }

    /** Environment variable names the functions read. Values come from the deployment, never literals. */
    public static final class Env {
        /** Name of the DynamoDB connection table. */
        public static final String CONNECTIONS_TABLE = "CONNECTIONS_TABLE";
        /** Base URL of the {@code @connections} management API ({@code https://{api}.execute-api.{region}.amazonaws.com/{stage}}). */
        public static final String CALLBACK_URL = "CALLBACK_URL";
        /** IoT data-ATS endpoint host name the functions publish to. */
        public static final String IOT_DATA_ENDPOINT = "IOT_DATA_ENDPOINT";
        /** Topic for messages to every device. */
        public static final String OUTBOUND_TOPIC = "OUTBOUND_TOPIC";
        /** Template of the per-device command topic; {@value Topics#THING_PLACEHOLDER} stands for the thing name. */
        public static final String COMMAND_TOPIC_TEMPLATE = "COMMAND_TOPIC_TEMPLATE";
        /** ARN of the Secrets Manager secret holding the WebSocket token key. */
        public static final String TOKEN_SECRET_ARN = "TOKEN_SECRET_ARN";
        /** ARN of the function (alias) that takes over a broadcast an invocation had no time left to finish. */
        public static final String CONTINUATION_FUNCTION = "CONTINUATION_FUNCTION";
        /**
         * URL of the readings queue: sendMessage queues a watcher's message there, and the fan-out
         * receives more from it itself when a batch arrives full ({@link ReadingsQueue#COALESCE_FOR}).
         */
        public static final String READINGS_QUEUE_URL = "READINGS_QUEUE_URL";
        /** Optional: most {@code @connections} posts in flight per broadcast (default {@value Defaults#BROADCAST_CONCURRENCY}). */
        public static final String BROADCAST_CONCURRENCY = "BROADCAST_CONCURRENCY";
        /** Optional: connections the fan-out posts to itself before it splits them into worker shards (default {@value Defaults#SHARD_SIZE}). */
        public static final String SHARD_SIZE = "SHARD_SIZE";
        /** Optional: parallel Scan segments when reading connection ids (default {@value Defaults#SCAN_SEGMENTS}). */
        public static final String SCAN_SEGMENTS = "SCAN_SEGMENTS";
        /**
         * Optional: open connections one token subject may hold (default {@value ConnectionsPerSubject#MAX}); the
         * stack does not set it. Local mode's benchmarks raise it, since their many watchers share one token.
         */
        public static final String CONNECTIONS_PER_SUBJECT = "CONNECTIONS_PER_SUBJECT";
        /** Optional: how long, in milliseconds, the fan-out reuses a read of the connection ids (default {@value Defaults#CONNECTION_CACHE_TTL_MS}). */
        public static final String CONNECTION_CACHE_TTL_MS = "CONNECTION_CACHE_TTL_MS";
        /** The WebSocket stage the deployment serves: the value of the metrics' {@link Metrics#STAGE_DIMENSION}. */
        public static final String STAGE = "STAGE";
        /** Powertools for AWS Lambda: the metrics' namespace ({@link Metrics#NAMESPACE}). */
        public static final String POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE";

        private Env() {
        }
    }

    /** Defaults of the optional settings in {@link Env}. */
    public static final class Defaults {
        /**
         * API Gateway's management API allows about 10,000 posts/s per account and region; at
         * 10-30 ms a post, 100 in flight from one invocation reaches a few thousand per second and
         * leaves the rest of the account rate to other invocations.
         */
        public static final int BROADCAST_CONCURRENCY = 100;
        public static final int SCAN_SEGMENTS = 1;
        /**
         * Connections one invocation posts to; a larger audience goes to worker invocations in
         * shards of this size. A worker posts at most seven 32 KB frames (a full coalesced batch) to
         * each: 3,500 posts, about a second at {@link #BROADCAST_CONCURRENCY} in flight and
         * 10-30 ms a post, well inside one invocation's time.
         */
        public static final int SHARD_SIZE = 500;
        /**
         * Worker invocations one fan-out invocation runs at once: with {@link ReadingsQueue#MAX_CONCURRENCY}
         * fan-outs, 2 x 50 = 100 concurrent workers, 50,000 connections per round, within the
         * default 1,000 concurrent executions of an account (Lambda Developer Guide, "Lambda quotas").
         */
        public static final int WORKERS_IN_FLIGHT = 50;
        /** Also the staleness bound of the fan-out: a new connection gets readings at most this late. */
        public static final long CONNECTION_CACHE_TTL_MS = 1_000;

        private Defaults() {
        }
    }

    /**
     * How many messages one connection may send: {@value #PER_SECOND} a second, in bursts of up to
     * {@value #BURST}. A message over it is refused with an error envelope that says when to retry,
     * and costs no queue send, no publish and no post to anyone else. The state is on the connection's
     * row (generic cell rate algorithm, {@link ConnectionTable#MESSAGE_CLOCK}), so the limit holds across
     * function instances; each instance also remembers the clocks it saw, and refuses a message that is
     * over the limit by what it already knows without asking the table.
     */
    public static final class MessageRate {
        /** Messages a second a connection may keep up. */
        public static final int PER_SECOND = 10;
        /** Messages a connection may send at once after a quiet spell. */
        public static final int BURST = 20;

        private MessageRate() {
        }
    }

    /**
     * How many WebSocket connections one token subject may hold open at once: {@value #MAX}. A person
     * watches from a few places at a time (a dashboard, a couple of browser tabs, wscat, a script); 10
     * leaves room for them and for a reconnect whose old connection API Gateway has not yet closed.
     * Without a cap, one token that leaked, or one script that reconnects in a loop, can open
     * connections without end, each billed by the minute and each a post in every broadcast. The
     * {@code $connect} over the cap is refused with {@value #REFUSED_STATUS}; a {@code $disconnect} frees
     * a place. The places are kept in the connection table on a row per subject
     * ({@link ConnectionTable#PLACES}), so the cap holds across function instances.
     */
    public static final class ConnectionsPerSubject {
        /** Open connections per subject at most. */
        public static final int MAX = 10;
        /**
         * The status a {@code $connect} over the cap is answered with, which API Gateway returns to the
         * WebSocket handshake: 429 Too Many Requests. The token is good (so not 401 or 403); its holder
         * has too many connections at the moment, and may connect again once one closes.
         */
        public static final int REFUSED_STATUS = 429;

        private ConnectionsPerSubject() {
        }
    }

    /**
     * The DynamoDB connection table: what infra and local mode create and the handlers read.
     * Only the key is declared to DynamoDB; the others are plain attributes.
     */
    public static final class ConnectionTable {
        /** Partition key, type S: the API Gateway connection id. */
        public static final String PARTITION_KEY = "connectionId";
        /** Type N, epoch milliseconds. */
        public static final String CONNECTED_AT = "connectedAt";
        /** Type N, epoch seconds; the table's TTL attribute. */
        public static final String EXPIRES_AT = "expiresAt";
        /** Type S, the client's address as API Gateway saw it. */
        public static final String SOURCE_IP = "sourceIp";
        /**
         * Type L of S: the things whose readings the connection chose with {@code subscribe}; absent
         * for every device (the default), empty for none (messages only).
         */
        public static final String DEVICES = "devices";
        /**
         * Type N, epoch milliseconds: the connection's message clock for {@link MessageRate} (the time
         * its next message is due at the steady rate); absent until it sends its first message.
         */
        public static final String MESSAGE_CLOCK = "messageClock";
        /**
         * Type S: the subject of the token the connection was opened with, on the connection's row, so
         * {@code $disconnect} finds the subject's places row ({@link #PLACES}) to free its place.
         */
        public static final String SUBJECT = "subject";
        /** Type S: the connection's entry in its subject's {@link #PLACES}, on the connection's row. */
        public static final String PLACE = "place";
        /**
         * Type SS, on a subject's places row: one entry per open connection of the subject,
         * {@code <connectionId>#<expiresAt>} (the row's {@link #EXPIRES_AT}), so a place whose connection
         * vanished without {@code $disconnect} is taken back once that time has passed. The places row's
         * key is {@link #PLACES_KEY_PREFIX} and the subject; broadcasts skip such rows.
         */
        public static final String PLACES = "places";
        /** Starts the key of a subject's places row; API Gateway's connection ids never contain {@code #}. */
        public static final String PLACES_KEY_PREFIX = "subject#";
        /** The most devices one {@code subscribe} may name. */
        public static final int MAX_SUBSCRIBED_DEVICES = 100;
        /** API Gateway closes every WebSocket connection after this long. */
        public static final java.time.Duration MAX_CONNECTION_AGE = java.time.Duration.ofHours(2);
        /** How far past {@link #MAX_CONNECTION_AGE} a row expires, so TTL never removes a live connection. */
        public static final java.time.Duration EXPIRY_MARGIN = java.time.Duration.ofMinutes(10);

        private ConnectionTable() {
        }
    }

    /** The MQTT and HTTPS topics (docs/architecture.md, "Contracts"). */
    public static final class Topics {
        /** Stands for the thing name in the templates below. */
        public static final String THING_PLACEHOLDER = "{thingName}";

        public static final String TELEMETRY_TEMPLATE = "devices/" + THING_PLACEHOLDER + "/telemetry";
        public static final String COMMANDS_TEMPLATE = "devices/" + THING_PLACEHOLDER + "/commands";
        public static final String GENERAL_INBOUND = "general/inbound";
        public static final String GENERAL_OUTBOUND = "general/outbound";

        /** Topic filter the telemetry rule selects from. */
        public static final String TELEMETRY_FILTER = "devices/+/telemetry";

        private Topics() {
        }

        /** A template with the thing name filled in. */
        public static String forThing(String template, String thingName) {
            return template.replace(THING_PLACEHOLDER, thingName);
        }

        /**
         * What one thing may do, as the IoT policy grants it and the local broker enforces it:
         * publish its own telemetry and to the shared inbound topic; subscribe to and receive its
         * own commands and the shared outbound topic. Templates; see {@link #forThing}.
         */
        public static final List<String> DEVICE_PUBLISH = List.of(TELEMETRY_TEMPLATE, GENERAL_INBOUND);
        public static final List<String> DEVICE_SUBSCRIBE = List.of(COMMANDS_TEMPLATE, GENERAL_OUTBOUND);
    }

    /**
     * What a function's code calls on AWS, each with the IAM actions it takes and the environment
     * variables its client reads. The stack grants a function exactly the actions of its needs and
     * sets exactly their variables; local mode refuses any other call, as IAM would.
     */
    public enum Need {
        /** {@code $connect} saves the connection. */
        SAVE_CONNECTION(List.of("dynamodb:PutItem"), List.of(Env.CONNECTIONS_TABLE)),
        /**
         * {@code $connect} takes one of its subject's places ({@link ConnectionsPerSubject}): one
         * conditional UpdateItem of the subject's places row; when the subject seems full, it reads the
         * row (GetItem) to take back places whose connections expired.
         */
        HOLD_PLACE(List.of("dynamodb:GetItem", "dynamodb:UpdateItem"), List.of(Env.CONNECTIONS_TABLE)),
        /** A connection that closed or that API Gateway reports gone is forgotten. */
        FORGET_CONNECTION(List.of("dynamodb:DeleteItem"), List.of(Env.CONNECTIONS_TABLE)),
        /**
         * {@code $disconnect} gives its place back: UpdateItem of the subject's places row, and the row
         * deleted (FORGET_CONNECTION's DeleteItem) once it holds none. When the connection's row was
         * already deleted (a broadcast found it gone first), it reads the places row (GetItem) to find
         * the connection's entry.
         */
        FREE_PLACE(List.of("dynamodb:GetItem", "dynamodb:UpdateItem"), List.of(Env.CONNECTIONS_TABLE)),
        /** {@code subscribe} stores the connection's choice of devices on its row, and only on a row that exists. */
        SAVE_SUBSCRIPTION(List.of("dynamodb:UpdateItem"), List.of(Env.CONNECTIONS_TABLE)),
        /** {@code sendMessage} keeps the sender's {@link MessageRate} on its row, and only on a row that exists. */
        LIMIT_MESSAGES(List.of("dynamodb:UpdateItem"), List.of(Env.CONNECTIONS_TABLE)),
        /** Broadcasts read every connection id. */
        LIST_CONNECTIONS(List.of("dynamodb:Scan"), List.of(Env.CONNECTIONS_TABLE)),
        /** {@code POST @connections/{id}}, and only that method of the management API. */
        POST_TO_CONNECTIONS(List.of("execute-api:ManageConnections"), List.of(Env.CALLBACK_URL)),
        /** IoT Data Plane {@code Publish} to {@code general/outbound} and the devices' command topics. */
        PUBLISH_TO_DEVICES(List.of("iot:Publish"),
                List.of(Env.IOT_DATA_ENDPOINT, Env.OUTBOUND_TOPIC, Env.COMMAND_TOPIC_TEMPLATE)),
        /** The WebSocket token key, current and previous version. */
        READ_TOKEN_KEY(List.of("secretsmanager:GetSecretValue"), List.of(Env.TOKEN_SECRET_ARN)),
        /**
         * The fan-out consumes the readings queue through an event source mapping: Lambda's pollers
         * receive and delete for it with the function's role (Lambda Developer Guide, "Using Lambda with
         * Amazon SQS", execution role permissions).
         */
        CONSUME_READINGS(List.of("sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"),
                List.of(Env.READINGS_QUEUE_URL)),
        /**
         * sendMessage queues a watcher's message on the readings queue, one send whatever the
         * audience; the fan-out delivers it with the readings.
         */
        QUEUE_MESSAGES(List.of("sqs:SendMessage"), List.of(Env.READINGS_QUEUE_URL)),
        /**
         * Hands the connections a broadcast had no time left for (or whose posts failed) to an
         * asynchronous fan-out invocation, instead of being cut off and retried from the start; and
         * runs the shards of a large audience in synchronous worker invocations of the fan-out.
         */
        CONTINUE_BROADCAST(List.of("lambda:InvokeFunction"), List.of(Env.CONTINUATION_FUNCTION));

        private final List<String> actions;
        private final List<String> environment;

        Need(List<String> actions, List<String> environment) {
            this.actions = actions;
            this.environment = environment;
        }

        /** IAM actions, {@code service:Action}. */
        public List<String> actions() {
            return actions;
        }

        /** Names of the {@link Env} variables the client behind this need reads. */
        public List<String> environment() {
            return environment;
        }
    }

    /**
     * The functions of the cloud side, each declared once: {@code id} names the construct in CDK
     * and the handler in local mode; the class Lambda runs (a shell that wires the function's
     * handler, in the Lambda module's {@code functions} package); memory (which also sets the CPU share) and
     * time limit; and what it calls. The fan-out posts to many connections at once and gets a bit
     * over half a vCPU; the rest make one or two small calls and do fine on half of that. A route's
     * function ends well under API Gateway's 29 s integration timeout (API Gateway Developer Guide,
     * "Amazon API Gateway quotas", WebSocket APIs).
     */
    public enum Function {
        /** Takes a place of the token's subject, then saves the connection. */
        CONNECT("Connect", "dev.edgewire.functions.Connect", 512, 10,
                Set.of(Need.SAVE_CONNECTION, Need.HOLD_PLACE)),
        /** Forgets the connection and frees its subject's place. */
        DISCONNECT("Disconnect", "dev.edgewire.functions.Disconnect", 512, 10,
                Set.of(Need.FORGET_CONNECTION, Need.FREE_PLACE)),
        /**
         * Queues the message for the fan-out and publishes it to the devices: two calls whatever the
         * audience. It posts only to the sender (an error), and forgets the sender if it is gone.
         */
        SEND_MESSAGE("SendMessage", "dev.edgewire.functions.SendMessage", 512, 10,
                Set.of(Need.QUEUE_MESSAGES, Need.PUBLISH_TO_DEVICES, Need.LIMIT_MESSAGES, Need.FORGET_CONNECTION,
                        Need.POST_TO_CONNECTIONS)),
        /** Stores which devices' readings a connection wants, and answers it alone. */
        SUBSCRIBE("Subscribe", "dev.edgewire.functions.Subscribe", 512, 10,
                Set.of(Need.SAVE_SUBSCRIPTION, Need.FORGET_CONNECTION, Need.POST_TO_CONNECTIONS)),
        /** Answers the sender only (an error for an unknown action), and forgets it if it is gone. */
        DEFAULT("Default", "dev.edgewire.functions.DefaultRoute", 512, 10,
                Set.of(Need.FORGET_CONNECTION, Need.POST_TO_CONNECTIONS)),
        AUTHORIZER("Authorizer", "dev.edgewire.functions.Authorizer", 512, 10,
                Set.of(Need.READ_TOKEN_KEY)),
        FAN_OUT("FanOut", "dev.edgewire.functions.FanOut", 1024, 30,
                Set.of(Need.CONSUME_READINGS, Need.LIST_CONNECTIONS, Need.FORGET_CONNECTION,
                        Need.POST_TO_CONNECTIONS, Need.CONTINUE_BROADCAST));

        /** API Gateway ends an integration call after 29 s; a route's function must end before it. */
        public static final int ROUTE_TIMEOUT_LIMIT_SECONDS = 29;

        private final String id;
        private final String handlerClass;
        private final int memoryMb;
        private final int timeoutSeconds;
        private final Set<Need> needs;

        Function(String id, String handlerClass, int memoryMb, int timeoutSeconds, Set<Need> needs) {
            this.id = id;
            this.handlerClass = handlerClass;
            this.memoryMb = memoryMb;
            this.timeoutSeconds = timeoutSeconds;
            this.needs = needs.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(needs));
        }

        public String id() {
            return id;
        }

        public String handlerClass() {
            return handlerClass;
        }

        /** The Lambda handler string, {@code class::method}. */
        public String handler() {
            return handlerClass + "::handleRequest";
        }

        public int memoryMb() {
            return memoryMb;
        }

        public int timeoutSeconds() {
            return timeoutSeconds;
        }

        public Set<Need> needs() {
            return needs;
        }

        /**
         * The instruction set Lambda runs the function on: arm64 (Graviton) for every function, which
         * costs about 20% less per GB-second than x86_64. The stack deploys it; local mode's cost meter
         * prices GB-seconds by it.
         */
        public Architecture architecture() {
            return Architecture.ARM_64;
        }

        public boolean needs(Need need) {
            return needs.contains(need);
        }

        /** Every IAM action this function is granted, sorted. */
        public SortedSet<String> actions() {
            return needs.stream().flatMap(n -> n.actions().stream()).collect(Collectors.toCollection(TreeSet::new));
        }

        /**
         * Every {@link Env} variable this function is given, sorted. The continuation target itself
         * is not told its own ARN (a function's settings cannot name its own alias in CloudFormation
         * without a cycle): it continues through the ARN it was invoked by.
         */
        public SortedSet<String> environment() {
            SortedSet<String> names = needs.stream().flatMap(n -> n.environment().stream())
                    .collect(Collectors.toCollection(TreeSet::new));
            if (this == CONTINUATION_TARGET) {
                names.remove(Env.CONTINUATION_FUNCTION);
            }
            return names;
        }
    }

    /** A Lambda instruction set, with the name Lambda's API and CloudFormation give it. */
    public enum Architecture {
        ARM_64("arm64"),
        X86_64("x86_64");

        private final String lambdaName;

        Architecture(String lambdaName) {
            this.lambdaName = lambdaName;
        }

        public String lambdaName() {
            return lambdaName;
        }
    }

    /** The function that takes over what a broadcast had no time left for ({@link Need#CONTINUE_BROADCAST}). */
    public static final Function CONTINUATION_TARGET = Function.FAN_OUT;

    /**
     * A throttle API Gateway applies before a route's function runs: a token bucket that holds
     * {@code burst} requests and refills at {@code ratePerSecond}. A request that finds it empty is
     * refused with 429 Too Many Requests and never reaches the function (API Gateway Developer Guide,
     * "Protect your WebSocket APIs in API Gateway": stage and route-level throttling, token bucket).
     */
    public record Throttle(int ratePerSecond, int burst) {
        public Throttle {
            if (ratePerSecond <= 0 || burst < ratePerSecond) {
                throw new IllegalArgumentException("a throttle needs a positive rate and a burst of at least the rate");
            }
        }
    }

    /**
     * The stage's default throttle, for every route without one of its own: well under the account's
     * 10,000 requests a second (API Gateway quotas), which the {@code @connections} posts share.
     */
    public static final Throttle STAGE_THROTTLE = new Throttle(500, 1000);

    /**
     * The {@code sendMessage} route's own throttle, over all connections together. Each message is
     * a queue send, an IoT publish and, through the fan-out, a place in every watcher's next frame;
     * 50 a second adds a quarter to a load of 200 readings a second, and no more than that however
     * many clients send. One connection's share is further limited by its {@link MessageRate}, which
     * the function applies; this throttle keeps a flood from costing invocations at all.
     */
    public static final Throttle SEND_MESSAGE_THROTTLE = new Throttle(50, 100);

    /**
     * A WebSocket route and the function that serves it; {@code ownThrottle} is a route-level
     * throttle in place of {@link #STAGE_THROTTLE}.
     */
    public record Route(String routeKey, Function function, boolean authorized, Optional<Throttle> ownThrottle) {
        Route(String routeKey, Function function, boolean authorized) {
            this(routeKey, function, authorized, Optional.empty());
        }

        /** The throttle API Gateway applies to this route. */
        public Throttle throttle() {
            return ownThrottle.orElse(STAGE_THROTTLE);
        }
    }

    /** An IoT topic rule: its SQL (IoT SQL 2016-03-23); its action sends the output to the {@link ReadingsQueue}. */
    public record TopicRule(String id, String topicFilter, String sql) {
    }

    /**
     * The queue between the topic rules and the fan-out (docs/architecture.md, "The path of a
     * reading"). Each rule's SQS action sends its output, one reading, as a message; the fan-out
     * consumes the queue through an event source mapping and turns a batch of readings into as few
     * WebSocket messages per connection as API Gateway's 32 KB unit allows. A reading whose batch
     * fails is received again after the visibility timeout; after {@link #MAX_RECEIVE_COUNT}
     * receives the queue moves it to its dead-letter queue.
     */
    public static final class ReadingsQueue {
        /** The function the event source mapping invokes. */
        public static final Function CONSUMER = Function.FAN_OUT;
        /**
         * Readings per invocation at most. Without a batching window Lambda hands a function at most
         * 10 messages from a standard queue (Lambda Developer Guide, "Lambda parameters for Amazon SQS
         * event source mappings": BatchSize, MaximumBatchingWindowInSeconds).
         */
        public static final int BATCH_SIZE = 10;
        /**
         * No batching window: a poller hands over what one receive returned at once, so a lone
         * reading is not held back; under load every receive returns a full batch.
         */
        public static final int MAX_BATCHING_WINDOW_SECONDS = 0;
        /**
         * Fan-out invocations at once for this queue at most (ScalingConfig.MaximumConcurrency, 2 to
         * 1,000; Lambda Developer Guide, "Configuring maximum concurrency for Amazon SQS event
         * sources"): the least Lambda allows. Every invocation posts to every connection, so the
         * posts a watcher gets per second are the invocations per second; with {@link #COALESCE_FOR}
         * this bounds them at {@link #MAX_POSTS_PER_WATCHER_PER_SECOND} under any load.
         */
        public static final int MAX_CONCURRENCY = 2;
        /** What {@link #COALESCE_FOR} is chosen for: WebSocket messages a watcher gets per second at most, under load. */
        public static final int MAX_POSTS_PER_WATCHER_PER_SECOND = 5;
        /**
         * The pace of deliveries: one fan-out execution environment starts a delivery no sooner than
         * this after its previous one, and a batch that arrives full covers at least this long from
         * its start. Meanwhile it receives more readings itself; past that it goes on only while
         * receives come back full, for at most this long again, up to {@link #MAX_COALESCED}
         * readings. {@link #MAX_CONCURRENCY} environments paced this way make at most
         * {@link #MAX_POSTS_PER_WATCHER_PER_SECOND} deliveries a second; a reading after a quiet
         * spell goes out at once, so a trickle is not held back.
         */
        public static final java.time.Duration COALESCE_FOR =
                java.time.Duration.ofMillis(1000L * MAX_CONCURRENCY / MAX_POSTS_PER_WATCHER_PER_SECOND);
        /**
         * Readings one fan-out invocation handles at most, the batch included: about 200 KB of
         * envelopes, seven 32 KB frames per connection.
         */
        public static final int MAX_COALESCED = 1_000;
        /**
         * The message attribute that marks a watcher's message ({@value #KIND_MESSAGE}) on the
         * readings queue. A topic rule's SQS action sends a body and no attributes (AWS IoT Developer
         * Guide, "SQS" rule action), so a device cannot pass a reading off as a message.
         */
        public static final String KIND_ATTRIBUTE = "kind";
        public static final String KIND_MESSAGE = "message";
        /** Receives of a reading before the queue moves it to the dead-letter queue. */
        public static final int MAX_RECEIVE_COUNT = 5;
        /** How long the queue and its dead-letter queue keep a message: SQS's maximum. */
        public static final java.time.Duration RETENTION = java.time.Duration.ofDays(14);

        private ReadingsQueue() {
        }

        /**
         * How long a received reading stays invisible to other receives: six times the consumer's
         * timeout, as Lambda's guide advises for an event source queue, so a batch Lambda retries
         * after throttling is not received twice (Lambda Developer Guide, "Using Lambda with Amazon
         * SQS", configuring a queue).
         */
        public static java.time.Duration visibilityTimeout() {
            return java.time.Duration.ofSeconds(6L * CONSUMER.timeoutSeconds());
        }
    }

    public static final List<Route> ROUTES = List.of(
            new Route("$connect", Function.CONNECT, true),
            new Route("$disconnect", Function.DISCONNECT, false),
            new Route("sendMessage", Function.SEND_MESSAGE, false, Optional.of(SEND_MESSAGE_THROTTLE)),
            new Route("subscribe", Function.SUBSCRIBE, false),
            new Route("$default", Function.DEFAULT, false));

    /** IoT SQL version the rules are written in. */
    public static final String SQL_VERSION = "2016-03-23";

    public static final List<TopicRule> TOPIC_RULES = List.of(
            new TopicRule("Telemetry", Topics.TELEMETRY_FILTER,
                    "SELECT *, topic(2) AS deviceId, topic() AS topic, timestamp() AS receivedAt FROM '"
                            + Topics.TELEMETRY_FILTER + "'"),
            new TopicRule("GeneralInbound", Topics.GENERAL_INBOUND,
                    // The device is who AWS authenticated, never what the payload claims: the MQTT
                    // client id (the IoT policy lets a thing connect under its own name only), or, for
                    // an HTTPS publish, which has no client id (clientid() is "n/a"), the certificate
                    // id that principal() returns (AWS IoT SQL reference, "clientid()", "principal()").
                    "SELECT *, clientid() AS deviceId, principal() AS principal, topic() AS topic,"
                            + " timestamp() AS receivedAt FROM '" + Topics.GENERAL_INBOUND + "'"));

    /** The route with this key, if declared. */
    public static Optional<Route> route(String routeKey) {
        return ROUTES.stream().filter(r -> r.routeKey().equals(routeKey)).findFirst();
    }

    /** Route keys a client may name in {@code action} (the ones that are not {@code $}-prefixed). */
    public static List<String> actions() {
        return ROUTES.stream().map(Route::routeKey).filter(k -> !k.startsWith("$")).toList();
    }
}
