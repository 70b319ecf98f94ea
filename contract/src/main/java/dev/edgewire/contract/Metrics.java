package dev.edgewire.contract;

/**
 * The metrics the functions emit, in CloudWatch's embedded metric format: their namespace, their one
 * dimension and their names. The functions write them (Powertools for AWS Lambda metrics), the CDK
 * app's alarms and dashboard read them, and local mode's operations panel shows them; all three take
 * the names from here.
 *
 * <p>Every metric has the same single dimension, {@link #STAGE_DIMENSION}, and nothing per device,
 * per connection or per token: CloudWatch bills each combination of dimension values as a metric of
 * its own, so the bill stays flat however many devices and watchers there are.
 */
public final class Metrics {

    /** The CloudWatch namespace of every metric here. */
    public static final String NAMESPACE = "edgewire";
    /** The one dimension: the WebSocket stage the deployment serves ({@link Topology#DEFAULT_STAGE} by default). */
    public static final String STAGE_DIMENSION = "Stage";

    /** Count: readings the fan-out received from the readings queue. */
    public static final String READINGS_IN = "ReadingsIn";
    /** Count: WebSocket messages the fan-out posted to connections (a batch frame is one). */
    public static final String FRAMES_DELIVERED = "FramesDelivered";
    /** Count: readings carried to connections, one per reading per connection that got it. */
    public static final String READINGS_DELIVERED = "ReadingsDelivered";
    /** Count: posts answered 410 Gone (the connection had closed; its row is deleted). */
    public static final String POSTS_GONE = "PostsGone";
    /** Count: posts that failed otherwise (retried through the queue, then kept in its dead-letter queue). */
    public static final String POSTS_FAILED = "PostsFailed";
    /** Milliseconds, read as Maximum: the age of the oldest reading in a delivered batch, from the topic rule. */
    public static final String FAN_OUT_LAG = "FanOutLag";
    /** Count: connections a fan-out batch was delivered to (read as Maximum: the audience). */
    public static final String CONNECTIONS = "Connections";
    /** Count: sendMessage messages from watchers that were queued for delivery. */
    public static final String MESSAGES_IN = "MessagesIn";
    /** Count: sendMessage messages refused over the sender's message rate ({@link Topology.MessageRate}). */
    public static final String MESSAGES_REFUSED = "MessagesRefused";
    /** Count: tokens the authorizer allowed. */
    public static final String AUTHORIZER_ALLOW = "AuthorizerAllow";
    /** Count: tokens the authorizer denied (missing, malformed, badly signed, expired). */
    public static final String AUTHORIZER_DENY = "AuthorizerDeny";

    private Metrics() {
    }
}
