package dev.edgewire.testing;

import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.standins.dynamodb.ConnectionTables;
import dev.edgewire.standins.dynamodb.Dynalite;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
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
            ConnectionTables.create(client, name);
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

    /** The running store; JUnit closes it (an AutoCloseable in the root store) when the run ends. */
    public static final class Server implements AutoCloseable {
        final Endpoint endpoint;
        final DynamoDbClient client;
        private final Dynalite dynalite;

        private Server(Endpoint endpoint, Dynalite dynalite) {
            this.endpoint = endpoint;
            this.dynalite = dynalite;
            this.client = endpoint.newClient();
            System.out.println("DynamoDB-compatible store for this run: " + endpoint.uri()
                    + (dynalite == null ? " (from -D" + ENDPOINT_PROPERTY + ")" : " (dynalite started by the tests)"));
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
            try {
                Dynalite dynalite = Dynalite.start(Path.of(root, "node_modules", "dynalite", "cli.js"), null, 0, Path.of("target", "dynalite.log"));
                return new Server(new Endpoint(dynalite.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))), dynalite);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start dynalite", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting dynalite", e);
            }
        }

        public Endpoint endpoint() {
            return endpoint;
        }

        @Override
        public void close() {
            client.close();
            if (dynalite != null) {
                dynalite.close();
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
    }
}
