package dev.edgewire.systemtests.target;

import dev.edgewire.contract.Tokens;
import dev.edgewire.device.tls.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The system under test as a user sees it: the outputs file, the device's certificate, key and CA, a
 * WebSocket token, and (for the checks that read the connection table or call {@code @connections})
 * AWS credentials. Nothing else: the same checks run against local mode and against a deployed stack.
 *
 * <p>Where each comes from, first one wins: the {@code edgewire.certificate}, {@code edgewire.privateKey},
 * {@code edgewire.ca}, {@code edgewire.token} and {@code edgewire.tokenKeyFile} system properties (relative
 * paths from the checkout's root), then
 * the outputs file ({@code CertificateFile}, {@code PrivateKeyFile}, {@code CaCertificateFile},
 * {@code Token}: local mode writes them, a deployed stack does not). Without a CA the device trusts the
 * Amazon Root CA 1 the device client bundles. Without a token but with a token key file, a token is
 * minted from the key, as {@code edgewire-device token --key-file} does.
 */
public final class Deployment implements AutoCloseable {

    /** How long any one effect may take to show: generous, since Lambda cold starts count on AWS. */
    static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Pattern AWS_REGION_IN_HOST = Pattern.compile("\\.execute-api\\.([a-z0-9-]+)\\.amazonaws\\.com$");

    private final String description;
    private final Outputs outputs;
    private final TlsMaterial deviceTls;
    private final String token;
    private final byte[] tokenKey;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final String credentialsProblem;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private SdkHttpClient sdkHttp;
    private DynamoDbClient table;
    private ApiGatewayManagementApiClient connectionsApi;

    private Deployment(String description, Outputs outputs, TlsMaterial deviceTls, String token, byte[] tokenKey,
            Region region, AwsCredentialsProvider credentials, String credentialsProblem) {
        this.description = description;
        this.outputs = outputs;
        this.deviceTls = deviceTls;
        this.token = token;
        this.tokenKey = tokenKey;
        this.region = region;
        this.credentials = credentials;
        this.credentialsProblem = credentialsProblem;
    }

    /**
     * @param description  what the outputs describe, for messages ("local mode", "the deployed stack")
     * @param properties   the {@code edgewire.*} settings (system properties); relative paths are taken from {@code base}
     * @param region       the region for the SDK clients when the outputs do not name one
     * @param credentials  for the table and {@code @connections}, or empty with {@code credentialsProblem} saying why
     */
    public static Deployment resolve(String description, Outputs outputs, Map<String, String> properties, Path base,
            Optional<Region> region, Optional<AwsCredentialsProvider> credentials, String credentialsProblem) {
        Settings settings = new Settings(properties, base, outputs);
        Path certificate = settings.path("edgewire.certificate", "CertificateFile");
        Path privateKey = settings.path("edgewire.privateKey", "PrivateKeyFile");
        Path ca = settings.optionalPath("edgewire.ca", "CaCertificateFile").orElse(null);
        if (certificate == null || privateKey == null) {
            throw new IllegalStateException("No device certificate and key for " + description + ": give "
                    + "-Dedgewire.certificate=FILE and -Dedgewire.privateKey=FILE (the thing's certificate from "
                    + "'aws iot describe-certificate' and the key the CSR was made with).");
        }
        TlsMaterial tls = new TlsMaterial(TlsMaterial.trustManagers(ca), TlsMaterial.keyManagers(certificate, privateKey));

        byte[] tokenKey = settings.optionalPath("edgewire.tokenKeyFile", null).map(Deployment::readKey).orElse(null);
        String token = Optional.ofNullable(properties.get("edgewire.token")).filter(t -> !t.isBlank())
                .or(() -> outputs.find("Token"))
                .or(() -> Optional.ofNullable(tokenKey).map(k -> Tokens.mint(k, "contract-suite", Tokens.Grant.ALL, Duration.ofHours(1), Clock.systemUTC())))
                .orElseThrow(() -> new IllegalStateException("No WebSocket token for " + description + ": give "
                        + "-Dedgewire.token=TOKEN, or -Dedgewire.tokenKeyFile=FILE with the token secret's value "
                        + "(aws secretsmanager get-secret-value --secret-id TokenSecretArn --query SecretString --output text)."));

        Region resolvedRegion = regionOf(outputs).or(() -> region).orElseThrow(() -> new IllegalStateException(
                "No AWS region: the outputs' WebSocketUrl does not name one; give -Daws.region=REGION."));
        return new Deployment(description, outputs, tls, token, tokenKey, resolvedRegion, credentials.orElse(null),
                credentialsProblem);
    }

    /** Closed with the deployment, after its clients (local mode's process, for one). */
    public void own(AutoCloseable resource) {
        owned.add(resource);
    }

    public String description() {
        return description;
    }

    public Outputs outputs() {
        return outputs;
    }

    public String thingName() {
        return outputs.require("ThingName");
    }

    public String iotEndpoint() {
        return outputs.require("IotEndpoint");
    }

    public int mqttPort() {
        return Integer.parseInt(outputs.require("MqttPort"));
    }

    public int httpsPort() {
        return Integer.parseInt(outputs.require("HttpsPort"));
    }

    public String tableName() {
        return outputs.require("TableName");
    }

    /** The device's identity and the CA it trusts. */
    public TlsMaterial deviceTls() {
        return deviceTls;
    }

    /** A token the stage accepts. */
    public String token() {
        return token;
    }

    /** The key tokens are signed with, when the user gave it (local mode's token.key, or the token secret's value). */
    public Optional<byte[]> tokenKey() {
        return Optional.ofNullable(tokenKey).map(byte[]::clone);
    }

    /** The stage's URL with {@code token} as the query parameter API Gateway's authorizer reads; null for none. */
    public URI stage(String withToken) {
        String url = outputs.require("WebSocketUrl");
        return URI.create(withToken == null ? url
                : url + (url.contains("?") ? "&" : "?") + "token=" + URLEncoder.encode(withToken, StandardCharsets.UTF_8));
    }

    public Duration patience() {
        return PATIENCE;
    }

    /** The connection table through the SDK: DynamoDB of the stack's region, or local mode's store. */
    public synchronized DynamoDbClient table() {
        requireCredentials("read the connection table");
        if (table == null) {
            var builder = DynamoDbClient.builder().region(region).credentialsProvider(credentials).httpClient(sdkHttp());
            outputs.find("DynamoDbEndpoint").map(URI::create).ifPresent(builder::endpointOverride);
            table = builder.build();
        }
        return table;
    }

    /** The {@code @connections} management API at {@code CallbackUrl}, signing with SigV4. */
    public synchronized ApiGatewayManagementApiClient connectionsApi() {
        requireCredentials("call the @connections API");
        if (connectionsApi == null) {
            connectionsApi = ApiGatewayManagementApiClient.builder().region(region).credentialsProvider(credentials)
                    .endpointOverride(URI.create(outputs.require("CallbackUrl"))).httpClient(sdkHttp()).build();
        }
        return connectionsApi;
    }

    /** Skips the calling check, saying why, where no AWS credentials are to be had. */
    private void requireCredentials(String toDoWhat) {
        Assumptions.assumeTrue(credentials != null, () -> "Needs AWS credentials to " + toDoWhat + " of "
                + description + ", and there are none: " + credentialsProblem);
    }

    private SdkHttpClient sdkHttp() {
        if (sdkHttp == null) {
            sdkHttp = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(20)).build();
        }
        return sdkHttp;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable client : new AutoCloseable[] {table, connectionsApi, sdkHttp}) {
            closeQuietly(client);
        }
        owned.reversed().forEach(Deployment::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // At the end of the run nothing is left to do about it but say so.
            System.err.println("could not close " + resource + ": " + e);
        }
    }

    @Override
    public String toString() {
        return description + " (" + outputs.file().toAbsolutePath() + ")";
    }

    static Optional<Region> regionOf(Outputs outputs) {
        for (String key : List.of("WebSocketUrl", "CallbackUrl")) {
            Optional<String> host = outputs.find(key).map(URI::create).map(URI::getHost);
            if (host.isPresent()) {
                Matcher m = AWS_REGION_IN_HOST.matcher(host.get());
                if (m.find()) {
                    return Optional.of(Region.of(m.group(1)));
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] readKey(Path file) {
        try {
            // As the device client reads it: a shell redirect adds a newline the secret does not have.
            byte[] key = Files.readString(file).strip().getBytes(StandardCharsets.UTF_8);
            if (key.length < Tokens.MIN_KEY_BYTES) {
                throw new IllegalStateException("The token key in " + file + " has " + key.length + " bytes; a token key has at least "
                        + Tokens.MIN_KEY_BYTES + ".");
            }
            return key;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the token key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** System properties first, then the outputs file; paths relative to {@code base}. */
    private record Settings(Map<String, String> properties, Path base, Outputs outputs) {

        Path path(String property, String outputKey) {
            return optionalPath(property, outputKey).orElse(null);
        }

        Optional<Path> optionalPath(String property, String outputKey) {
            Optional<Path> path = Optional.ofNullable(properties.get(property)).filter(v -> !v.isBlank())
                    .map(v -> base.resolve(v).normalize());
            String source = "-D" + property;
            if (path.isEmpty() && outputKey != null) {
                // As the device client reads outputs files: relative paths are taken from the file's folder.
                path = outputs.find(outputKey).map(v -> outputs.file().toAbsolutePath().getParent().resolve(v).normalize());
                source = "the outputs' " + outputKey;
            }
            if (path.isPresent() && !Files.isReadable(path.get())) {
                throw new IllegalStateException("Cannot read " + path.get() + " (from " + source + ").");
            }
            return path;
        }
    }
}
