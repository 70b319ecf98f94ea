package dev.edgewire.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgewire.contract.Outputs;
import dev.edgewire.local.policy.ObserverPolicy;
import dev.edgewire.standins.pki.LocalPki;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What local mode hands its user: the outputs, with the key names of {@code cdk deploy --outputs-file},
 * the outputs file in the state directory, and the token key file that WebSocket tokens are minted with.
 */
final class LocalOutputs {

    /** The stack name the outputs file holds the outputs under. */
    static final String STACK_NAME = "edgewire-local";
    static final String OUTPUTS_FILE = "outputs.json";
    static final String TOKEN_KEY_FILE = "token.key";
    /** The AWS profile that holds local mode's own key, in {@link #AWS_DIR}'s credentials and config files. */
    static final String AWS_PROFILE = "edgewire-local";
    static final String AWS_DIR = "aws";
    static final String AWS_REGION = "us-east-1";

    private static final ObjectMapper INDENTED = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where the started parts listen. */
    record Endpoints(int webPort, String stage, int mqttPort, int httpsPort, URI dynamoDb, URI sqs,
                     String readingsQueueUrl, String readingsDeadLettersQueueUrl,
                     String failedDeliveriesQueueUrl, String failedInvocationsQueueUrl, Path awsDir) {
    }

    private LocalOutputs() {
    }

    /**
     * The outputs; the first of {@code things} is the one they name, with its certificate and key files,
     * and the observer's client id, certificate and key files follow the things'.
     */
    static Map<String, String> of(Endpoints endpoints, LocalPki pki, Map<String, LocalPki.Identity> things,
                                  LocalPki.Identity observer, String token) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(Outputs.WEB_SOCKET_URL, "ws://127.0.0.1:" + endpoints.webPort());
        out.put(Outputs.CALLBACK_URL, "http://127.0.0.1:" + endpoints.webPort() + "/" + endpoints.stage());
        out.put(Outputs.IOT_ENDPOINT, "localhost");
        out.put(Outputs.MQTT_PORT, Integer.toString(endpoints.mqttPort()));
        out.put(Outputs.HTTPS_PORT, Integer.toString(endpoints.httpsPort()));
        String first = things.keySet().iterator().next();
        LocalPki.Identity thing = things.get(first);
        out.put(Outputs.THING_NAME, first);
        out.put(Outputs.CERTIFICATE_ID, LocalPki.certificateId(thing.certificate()));
        out.put(Outputs.TABLE_NAME, LocalCloud.TABLE_NAME);
        out.put(Outputs.THING_NAMES, String.join(",", things.keySet()));
        out.put(Outputs.THING_CERTIFICATES_DIR, thing.certificateFile().toAbsolutePath().getParent().getParent().toString());
        out.put(Outputs.CA_CERTIFICATE_FILE, pki.ca().certificateFile().toAbsolutePath().toString());
        out.put(Outputs.CERTIFICATE_FILE, thing.certificateFile().toAbsolutePath().toString());
        out.put(Outputs.PRIVATE_KEY_FILE, thing.privateKeyFile().toAbsolutePath().toString());
        out.put(Outputs.OBSERVER_CLIENT_ID, ObserverPolicy.CLIENT_ID);
        out.put(Outputs.OBSERVER_CERTIFICATE_FILE, observer.certificateFile().toAbsolutePath().toString());
        out.put(Outputs.OBSERVER_PRIVATE_KEY_FILE, observer.privateKeyFile().toAbsolutePath().toString());
        out.put(Outputs.DYNAMODB_ENDPOINT, endpoints.dynamoDb().toString());
        out.put(Outputs.READINGS_QUEUE_URL, endpoints.readingsQueueUrl());
        out.put(Outputs.READINGS_DEAD_LETTERS_QUEUE_URL, endpoints.readingsDeadLettersQueueUrl());
        out.put(Outputs.FAILED_DELIVERIES_QUEUE_URL, endpoints.failedDeliveriesQueueUrl());
        out.put(Outputs.FAILED_INVOCATIONS_QUEUE_URL, endpoints.failedInvocationsQueueUrl());
        out.put(Outputs.SQS_ENDPOINT, endpoints.sqs().toString());
        out.put(Outputs.AWS_SHARED_CREDENTIALS_FILE, endpoints.awsDir().resolve("credentials").toAbsolutePath().toString());
        out.put(Outputs.AWS_CONFIG_FILE, endpoints.awsDir().resolve("config").toAbsolutePath().toString());
        out.put(Outputs.AWS_PROFILE, AWS_PROFILE);
        out.put(Outputs.TOKEN, token);
        return out;
    }

    /**
     * Writes {@code {"edgewire-local": outputs}} to the outputs file in {@code stateDir}, owner-only
     * (it holds a token), and returns the file.
     */
    static Path write(Path stateDir, Map<String, String> outputs) throws IOException {
        Path file = stateDir.resolve(OUTPUTS_FILE);
        LocalPki.writeOwnerOnly(file, INDENTED.writeValueAsString(Map.of(STACK_NAME, outputs)));
        return file;
    }

    /**
     * Local mode's own AWS key as a profile, {@value #AWS_PROFILE}, in an AWS shared-credentials
     * file and a config file (region {@value #AWS_REGION}) under {@code stateDir/aws}, owner-only, so
     * the SDKs and the CLI sign with it given {@code AWS_SHARED_CREDENTIALS_FILE},
     * {@code AWS_CONFIG_FILE} and {@code AWS_PROFILE} (AWS SDKs and Tools Reference Guide, "Shared
     * config and credentials files"). Any other key works too; this one is verified.
     */
    static Path writeAwsProfile(Path stateDir, String accessKeyId, String secretAccessKey) throws IOException {
        Path dir = Files.createDirectories(stateDir.resolve(AWS_DIR));
        LocalPki.writeOwnerOnly(dir.resolve("credentials"), "[" + AWS_PROFILE + "]\naws_access_key_id = " + accessKeyId
                + "\naws_secret_access_key = " + secretAccessKey + "\n");
        LocalPki.writeOwnerOnly(dir.resolve("config"), "[profile " + AWS_PROFILE + "]\nregion = " + AWS_REGION + "\n");
        return dir;
    }

    /**
     * The WebSocket token key, made on first start, owner-only: 32 random bytes written as 64 hex
     * characters, used as their text, the way the deployed stack's secret holds its key. So the
     * device client's {@code token --key-file .local/token.key} mints tokens for local mode too.
     */
    static byte[] tokenKey(Path stateDir) throws IOException {
        Path file = stateDir.resolve(TOKEN_KEY_FILE);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            LocalPki.writeOwnerOnly(file, HexFormat.of().formatHex(random) + "\n");
        }
        return Files.readString(file).strip().getBytes(StandardCharsets.UTF_8);
    }
}
