package dev.edgewire.local.sqs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.edgewire.local.cost.CostMeter;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.OneForOneStrategy;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.SupervisorStrategy;
import org.apache.pekko.japi.pf.DeciderBuilder;
import org.apache.pekko.pattern.Patterns;
import org.elasticmq.NodeAddress;
import org.elasticmq.StrictSQSLimits$;
import org.elasticmq.actor.QueueManagerActor;
import org.elasticmq.actor.queue.QueueEvent;
import org.elasticmq.persistence.sql.SqlQueuePersistenceActor;
import org.elasticmq.persistence.sql.SqlQueuePersistenceConfig;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.TheSQSRestServerBuilder;
import org.elasticmq.util.NowProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.collection.immutable.List$;
import scala.util.Either;
import scalikejdbc.ConnectionPool$;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Local mode's SQS service: an embedded ElasticMQ server on loopback that speaks SQS's protocols, so
 * the AWS SDKs and the AWS CLI work against it with an endpoint override. Queues and their messages
 * are kept on disk (H2 under the state folder) and come back when local mode starts again, as a queue
 * on AWS outlives its consumers. Local mode creates its queues by name through {@link #createQueue}.
 *
 * <p>Its address is a {@link MeteredSqsFront} that hands every call to ElasticMQ, on a port of its own,
 * and counts it for the cost meter once {@link #startMetering()} is called.
 */
public final class LocalSqs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSqs.class);
    /** The account id in local queue URLs and ARNs. */
    public static final String ACCOUNT_ID = "000000000000";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final ActorSystem actors;
    private final SQSRestServer server;
    private final MeteredSqsFront front;
    private final URI endpoint;
    private final SqsClient client;

    private LocalSqs(ActorSystem actors, SQSRestServer server, MeteredSqsFront front, URI endpoint, SqsClient client) {
        this.actors = actors;
        this.server = server;
        this.front = front;
        this.endpoint = endpoint;
        this.client = client;
    }

    /**
     * Starts the server on {@code host}:{@code port} (0: a free port) with its data under {@code dataDir},
     * restoring the queues and messages kept there; {@code meter} counts the calls it serves.
     */
    public static LocalSqs start(String host, int port, Path dataDir, Region region,
                                 AwsCredentialsProvider credentials, CostMeter meter) throws IOException {
        Files.createDirectories(dataDir);
        MeteredSqsFront front;
        try {
            front = MeteredSqsFront.start(host, port, meter);
        } catch (Exception e) {
            throw new IOException("the SQS service cannot listen on " + host + ":" + port + ": " + e, e);
        }
        ActorSystem actors = ActorSystem.create("local-sqs", quietConfig());
        try {
            // Every queue change and message goes through this actor into H2, and it restores them on start.
            // The queue answers a send once the actor has committed the message, but H2 writes commits to
            // its file only every WRITE_DELAY (500 ms): a kill -9 lost the last second of acknowledged
            // messages (61 and 69 of 500 readings in the fault suite). WRITE_DELAY=0 writes each commit
            // before the send is answered; alone it also stops H2's housekeeping, and the file grew about
            // 40 KB per message (400 MB after 10,000 sent, received and deleted). RETENTION_TIME=0 lets each
            // write reuse the space of the last (28 KB after the same 10,000). Both protect against the
            // process dying, not the machine: H2 does not fsync each commit, and with no retention an
            // operating system crash can leave the file unreadable (delete .local/sqs then).
            // NoSyncFilePath leaves out the fsync H2 does whenever it shrinks the file (most commits here).
            String database = "jdbc:h2:" + NoSyncFilePath.prefix(dataDir.toAbsolutePath().resolve("messages").toString())
                    + ";WRITE_DELAY=0;RETENTION_TIME=0";
            int leftovers = removeMovedLeftovers(dataDir, database);
            if (leftovers > 0) {
                LOG.info("removed {} messages left in their source queue after a move to its dead-letter queue",
                        leftovers);
            }
            // ElasticMQ opens its database once per JVM, in scalikejdbc's default pool, and keeps it for every
            // later service: pointed at this folder here, so a service started again in the same JVM on
            // another folder (tests do) neither reads nor writes the first one's messages.
            ConnectionPool$.MODULE$.singleton(database, "", "", ConnectionPool$.MODULE$.singleton$default$4(),
                    ConnectionPool$.MODULE$.singleton$default$5(database, "", "", ConnectionPool$.MODULE$.singleton$default$4()));
            Props sql = Props.create(SqlQueuePersistenceActor.class, () ->
                    new SqlQueuePersistenceActor(new SqlQueuePersistenceConfig(true, "org.h2.Driver", database,
                            "", "", false), List$.MODULE$.empty()));
            ActorRef store = actors.actorOf(Props.create(KeepStoring.class, () -> new KeepStoring(sql)), "store");
            ActorRef queues = actors.actorOf(Props.create(QueueManagerActor.class, () ->
                    new QueueManagerActor(new NowProvider(), StrictSQSLimits$.MODULE$, Option.apply(store))), "queues");
            // ElasticMQ on a free port of its own; the queue URLs it gives name the front.
            SQSRestServer server = TheSQSRestServerBuilder.apply(Option.apply(actors), Option.apply(queues), host, 0,
                    new NodeAddress("http", host, front.port(), ""), false, StrictSQSLimits$.MODULE$,
                    region.id(), ACCOUNT_ID, Option.apply(store)).start();
            front.forwardTo(URI.create("http://" + host + ":" + server.waitUntilStarted().localAddress().getPort()));
            Object restored = Patterns.ask(store, new QueueEvent.Restore(queues), START_TIMEOUT)
                    .toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (restored instanceof Either<?, ?> either && either.isLeft()) {
                throw new IOException("the SQS service could not restore its queues from " + dataDir + ": "
                        + either.left().get());
            }
            URI endpoint = URI.create("http://" + host + ":" + front.port());
            // Its own plain-HTTP client: the service starts before the local CA that local mode's TLS client trusts.
            SqsClient client = SqsClient.builder().region(region).credentialsProvider(credentials)
                    .endpointOverride(endpoint).httpClient(UrlConnectionHttpClient.create()).build();
            return new LocalSqs(actors, server, front, endpoint, client);
        } catch (Exception e) {
            front.close();
            actors.terminate();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("the SQS service did not start: " + e, e);
        }
    }

    /**
     * ElasticMQ 1.6.15 drops the removal of a message its redrive policy moves to the dead-letter queue when
     * the receive that moved it has nothing to return and waits (a long poll, as every receive of an event
     * source mapping): the message stays stored in its source queue too. Restored there on the next start,
     * it would be moved again, and its second insert into the dead-letter queue's table would fail. Such
     * leftovers are deleted before the service opens its store; returns how many.
     */
    static int removeMovedLeftovers(Path dataDir, String database) throws SQLException {
        if (!Files.exists(dataDir.resolve("messages.mv.db"))) {
            return 0;
        }
        int removed = 0;
        try (Connection db = DriverManager.getConnection(database, "", "")) {
            Set<String> tables = new HashSet<>();
            try (ResultSet found = db.getMetaData().getTables(null, null, "MESSAGE%", null)) {
                while (found.next()) {
                    tables.add(found.getString("TABLE_NAME"));
                }
            }
            for (String deadLetters : tables) {
                List<String> sources = new ArrayList<>();
                try (ResultSet rows = db.createStatement().executeQuery("select distinct dead_letter_source_queue_name from "
                        + deadLetters + " where dead_letter_source_queue_name is not null")) {
                    while (rows.next()) {
                        sources.add(rows.getString(1));
                    }
                }
                for (String source : sources) {
                    String table = messageTable(source);
                    if (!tables.contains(table)) {
                        continue;
                    }
                    try (PreparedStatement delete = db.prepareStatement("delete from " + table + " where message_id in "
                            + "(select message_id from " + deadLetters + " where dead_letter_source_queue_name = ?)")) {
                        delete.setString(1, source);
                        removed += delete.executeUpdate();
                    }
                }
            }
        }
        return removed;
    }

    /** The table ElasticMQ's {@code MessageRepository} keeps a queue's messages in, as H2 names it. */
    static String messageTable(String queue) {
        return ("message_" + queue.replace(".", "_").replace("-", "_") + "_" + Integer.toHexString(queue.hashCode()))
                .toUpperCase(Locale.ROOT);
    }

    /**
     * Between the queues and ElasticMQ's SQL store: passes every event on, and keeps the store running
     * when a statement fails. Pekko would restart it, and a restarted {@code SqlQueuePersistenceActor} knows
     * no queue until the next start, so it would answer every later event without storing anything.
     * Resumed, it stores the next events; the failed one is logged and its caller gets no answer.
     */
    static final class KeepStoring extends AbstractActor {

        private final ActorRef sql;

        KeepStoring(Props sql) {
            this.sql = getContext().actorOf(sql, "sql");
        }

        @Override
        public SupervisorStrategy supervisorStrategy() {
            return new OneForOneStrategy(DeciderBuilder.matchAny(e -> SupervisorStrategy.resume()).build());
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(event -> sql.forward(event, getContext())).build();
        }
    }

    /** Pekko logs through SLF4J, warnings and up, and leaves shutting down to {@link #close()}. */
    private static Config quietConfig() {
        return ConfigFactory.parseMap(Map.of(
                "pekko.loggers", java.util.List.of("org.apache.pekko.event.slf4j.Slf4jLogger"),
                "pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter",
                "pekko.loglevel", "WARNING",
                "pekko.stdout-loglevel", "OFF",
                "pekko.log-dead-letters", "off",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
                "pekko.jvm-shutdown-hooks", "off"))
                .withFallback(ConfigFactory.load(LocalSqs.class.getClassLoader()));
    }

    /**
     * Creates the standard queue {@code name} with these attributes, or, when an earlier run left it,
     * sets them on it (a queue restored from disk keeps its messages); returns its URL.
     */
    public String createQueue(String name, Map<QueueAttributeName, String> attributes) {
        try {
            String url = client.getQueueUrl(b -> b.queueName(name)).queueUrl();
            client.setQueueAttributes(b -> b.queueUrl(url).attributes(attributes));
            return url;
        } catch (QueueDoesNotExistException missing) {
            return client.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
        }
    }

    /**
     * From now on the cost meter counts every call; the ones before, local mode setting up its queues
     * (which CloudFormation does once on AWS), are not counted.
     */
    public void startMetering() {
        front.startMetering();
    }

    /** The URL the SDKs and the CLI take as their endpoint. */
    public URI endpoint() {
        return endpoint;
    }

    /** A client of this server, for local mode's own sends. */
    public SqsClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        front.close();
        try {
            server.stopAndWait();
        } catch (RuntimeException e) {
            LOG.warn("SQS service did not stop cleanly: {}", e.toString());
        }
        try {
            scala.concurrent.Await.result(actors.terminate(), scala.concurrent.duration.Duration.create(10, "s"));
        } catch (Exception e) {
            LOG.warn("SQS service's actors did not stop cleanly: {}", e.toString());
        }
        // Closing the pool's connections closes the database, whose file the next start opens.
        ConnectionPool$.MODULE$.close(ConnectionPool$.MODULE$.DEFAULT_NAME());
    }
}
