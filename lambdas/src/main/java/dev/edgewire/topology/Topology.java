package dev.edgewire.topology;

import java.util.List;
import java.util.Optional;

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
        /** Optional: most {@code @connections} posts in flight per broadcast (default {@value Defaults#BROADCAST_CONCURRENCY}). */
        public static final String BROADCAST_CONCURRENCY = "BROADCAST_CONCURRENCY";
        /** Optional: parallel Scan segments when reading connection ids (default {@value Defaults#SCAN_SEGMENTS}). */
        public static final String SCAN_SEGMENTS = "SCAN_SEGMENTS";
        /** Optional: how long, in milliseconds, the fan-out reuses a read of the connection ids (default {@value Defaults#CONNECTION_CACHE_TTL_MS}). */
        public static final String CONNECTION_CACHE_TTL_MS = "CONNECTION_CACHE_TTL_MS";

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
        /** Also the staleness bound of the fan-out: a new connection gets readings at most this late. */
        public static final long CONNECTION_CACHE_TTL_MS = 1_000;

        private Defaults() {
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
        /** API Gateway closes every WebSocket connection after this long. */
        public static final java.time.Duration MAX_CONNECTION_AGE = java.time.Duration.ofHours(2);
        /** How far past {@link #MAX_CONNECTION_AGE} a row expires, so TTL never removes a live connection. */
        public static final java.time.Duration EXPIRY_MARGIN = java.time.Duration.ofMinutes(10);

        private ConnectionTable() {
        }
    }

    /** MQTT and HTTPS topics of DESIGN.md. */
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

    /** The functions of the cloud side; {@code id} names the construct in CDK and the handler in local mode. */
    public enum Function {
        CONNECT("Connect", "dev.edgewire.connection.ConnectHandler"),
        DISCONNECT("Disconnect", "dev.edgewire.connection.DisconnectHandler"),
        SEND_MESSAGE("SendMessage", "dev.edgewire.message.SendMessageHandler"),
        DEFAULT("Default", "dev.edgewire.message.DefaultRouteHandler"),
        AUTHORIZER("Authorizer", "dev.edgewire.auth.TokenAuthorizer"),
        FAN_OUT("FanOut", "dev.edgewire.telemetry.FanOutHandler");

        private final String id;
        private final String handlerClass;

        Function(String id, String handlerClass) {
            this.id = id;
            this.handlerClass = handlerClass;
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
    }

    /** A WebSocket route and the function that serves it. */
    public record Route(String routeKey, Function function, boolean authorized) {
    }

    /** An IoT topic rule: its SQL (IoT SQL 2016-03-23) and the function it invokes. */
    public record TopicRule(String id, String topicFilter, String sql, Function target) {
    }

    public static final List<Route> ROUTES = List.of(
            new Route("$connect", Function.CONNECT, true),
            new Route("$disconnect", Function.DISCONNECT, false),
            new Route("sendMessage", Function.SEND_MESSAGE, false),
            new Route("$default", Function.DEFAULT, false));

    /** IoT SQL version the rules are written in. */
    public static final String SQL_VERSION = "2016-03-23";

    public static final List<TopicRule> TOPIC_RULES = List.of(
            new TopicRule("Telemetry", Topics.TELEMETRY_FILTER,
                    "SELECT *, topic(2) AS deviceId, topic() AS topic, timestamp() AS receivedAt FROM '"
                            + Topics.TELEMETRY_FILTER + "'",
                    Function.FAN_OUT),
            new TopicRule("GeneralInbound", Topics.GENERAL_INBOUND,
                    // No deviceId from the topic here: the reading names its device itself.
                    "SELECT *, topic() AS topic, timestamp() AS receivedAt FROM '"
                            + Topics.GENERAL_INBOUND + "'",
                    Function.FAN_OUT));

    /** The route with this key, if declared. */
    public static Optional<Route> route(String routeKey) {
        return ROUTES.stream().filter(r -> r.routeKey().equals(routeKey)).findFirst();
    }

    /** Route keys a client may name in {@code action} (the ones that are not {@code $}-prefixed). */
    public static List<String> actions() {
        return ROUTES.stream().map(Route::routeKey).filter(k -> !k.startsWith("$")).toList();
    }
}
