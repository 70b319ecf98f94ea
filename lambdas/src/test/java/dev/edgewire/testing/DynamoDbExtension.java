package dev.edgewire.testing;

import dev.edgewire.contract.Topology.ConnectionTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * A real DynamoDB-compatible store for the ITs. By default it starts dynalite
 * ({@code node <edgewire.root>/node_modules/dynalite/cli.js}) on a free loopback port, once for the
 * whole test run, and stops it at the end. With the system property
 * {@value #ENDPOINT_PROPERTY} set, the same tests run against that endpoint instead (LocalStack, or
 * a real region's endpoint with credentials from the default chain); each test makes and drops its
 * own uniquely named table, so nothing else there is touched.
 *
 * <p>Resolves {@link DynamoDbClient} and {@link Endpoint} parameters.
 */
public final class DynamoDbExtension implements BeforeAllCallback, ParameterResolver {

    public static final String ENDPOINT_PROPERTY = "edgewire.dynamodb.endpoint";
    private static final Namespace NAMESPACE = Namespace.create(DynamoDbExtension.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    /** Where the store listens, and how to reach it. */
    public record Endpoint(URI uri, Region region, AwsCredentialsProvider credentials) {

        public DynamoDbClient newClient() {
            return DynamoDbClient.builder()
                    .endpointOverride(uri)
                    .region(region)
                    .credentialsProvider(credentials)
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
        }

        /** A new, empty connection table with the schema of {@link ConnectionTable}; returns its name. */
        public String createConnectionTable(DynamoDbClient client) {
            String name = "edgewire-it-" + UUID.randomUUID();
            client.createTable(b -> b.tableName(name)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder()
                            .attributeName(ConnectionTable.PARTITION_KEY).attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder()
                            .attributeName(ConnectionTable.PARTITION_KEY).keyType(KeyType.HASH).build()));
            client.waiter().waitUntilTableExists(b -> b.tableName(name));
            return name;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        store(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DynamoDbClient.class || type == Endpoint.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Server server = store(context);
        if (parameter.getParameter().getType() == Endpoint.class) {
            return server.endpoint;
        }
        return server.client;
    }

    private static Server store(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Server.class, k -> Server.start(), Server.class);
    }

    /** Starts the store outside JUnit (for the benchmarks); close it when done. */
    public static Server startStandalone() {
        return Server.start();
    }

    /** The running store; JUnit closes it (an AutoCloseable in the root store) when the run ends. */
    public static final class Server implements AutoCloseable {
        final Endpoint endpoint;
        final DynamoDbClient client;
        private final Process process;

        private Server(Endpoint endpoint, Process process) {
            this.endpoint = endpoint;
            this.process = process;
            this.client = endpoint.newClient();
            System.out.println("DynamoDB-compatible store for this run: " + endpoint.uri()
                    + (process == null ? " (from -D" + ENDPOINT_PROPERTY + ")" : " (dynalite started by the tests)"));
        }

        static Server start() {
            String configured = System.getProperty(ENDPOINT_PROPERTY, "").trim();
            if (!configured.isEmpty()) {
                return new Server(new Endpoint(URI.create(configured), configuredRegion(), configuredCredentials()), null);
            }
            String root = System.getProperty("edgewire.root");
            if (root == null || root.isBlank()) {
                throw new IllegalStateException("system property edgewire.root (the checkout root) is not set; run through ./mvnw verify");
            }
            Path cli = Path.of(root, "node_modules", "dynalite", "cli.js");
            if (!Files.isRegularFile(cli)) {
                throw new IllegalStateException(cli + " is missing; run npm ci in " + root);
            }
            int port = freePort();
            try {
                Path log = Files.createDirectories(Path.of("target")).resolve("dynalite-" + port + ".log");
                Process process = new ProcessBuilder(List.of("node", cli.toString(), "--host", "127.0.0.1",
                        "--port", Integer.toString(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                awaitListening(process, port);
                return new Server(new Endpoint(URI.create("http://127.0.0.1:" + port), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))), process);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start dynalite", e);
            }
        }

        public Endpoint endpoint() {
            return endpoint;
        }

        @Override
        public void close() {
            client.close();
            if (process != null) {
                process.destroy();
                try {
                    if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static Region configuredRegion() {
            String region = System.getProperty("aws.region", System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
            return Region.of(region);
        }

        private static AwsCredentialsProvider configuredCredentials() {
            // Real endpoints need real credentials; LocalStack takes any.
            if (System.getenv("AWS_ACCESS_KEY_ID") != null || System.getenv("AWS_PROFILE") != null
                    || System.getProperty("aws.accessKeyId") != null) {
                return DefaultCredentialsProvider.builder().build();
            }
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("no free port", e);
            }
        }

        private static void awaitListening(Process process, int port) {
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("dynalite exited with " + process.exitValue() + "; see target/dynalite-" + port + ".log");
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        process.destroyForcibly();
                        throw new IllegalStateException("interrupted while starting dynalite", e);
                    }
                }
            }
            process.destroyForcibly();
            throw new IllegalStateException("dynalite did not listen on port " + port + " within " + STARTUP_TIMEOUT);
        }
    }
}
