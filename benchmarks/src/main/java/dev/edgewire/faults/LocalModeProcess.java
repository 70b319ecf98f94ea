package dev.edgewire.faults;

import dev.edgewire.contract.Outputs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.local.LocalCloud;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * Local mode as its own JVM, started as {@code local/bin/edgewire-local} starts it (same main class,
 * same flags, free ports), for the scenarios that kill it.
 */
final class LocalModeProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path log;
    private final Map<String, String> outputs;

    private LocalModeProcess(Process process, Path log, Map<String, String> outputs) {
        this.process = process;
        this.log = log;
        this.outputs = outputs;
    }

    static LocalModeProcess start(Path state, Path log) throws Exception {
        Path outputsFile = state.resolve("outputs.json");
        Files.deleteIfExists(outputsFile);
        Files.createDirectories(log.getParent());
        List<String> command = dev.edgewire.benchmarks.LocalModeProcess.command(state.toAbsolutePath(),
                List.of(Rig.HEALTHY_THING));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(outputsFile)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("local mode did not start; see " + log);
            }
            Thread.sleep(100);
        }
        Thread.sleep(200); // the file is written in one call; let it land
        JsonNode stack = new ObjectMapper().readTree(outputsFile.toFile()).elements().next();
        Map<String, String> outputs = new java.util.LinkedHashMap<>();
        stack.fields().forEachRemaining(e -> outputs.put(e.getKey(), e.getValue().asText()));
        return new LocalModeProcess(process, log, outputs);
    }

    Map<String, String> outputs() {
        return outputs;
    }

    URI stage() {
        String callback = outputs.get(Outputs.CALLBACK_URL);
        return URI.create(outputs.get(Outputs.WEB_SOCKET_URL) + callback.substring(callback.lastIndexOf('/'))
                + "?token=" + outputs.get(Outputs.TOKEN));
    }

    /** Rows in the connection table of this run's store. */
    static int rows(URI dynamoDbEndpoint) {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1)
                .endpointOverride(dynamoDbEndpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        LocalCloud.CREDENTIALS.accessKeyId(), LocalCloud.CREDENTIALS.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            int count = 0;
            for (var page : dynamo.scanPaginator(b -> b.tableName(LocalCloud.TABLE_NAME).select(Select.COUNT)
                    .consistentRead(true))) {
                count += page.count();
            }
            return count;
        }
    }

    int rows() {
        return rows(URI.create(outputs.get(Outputs.DYNAMODB_ENDPOINT)));
    }

    /** SIGKILL: no shutdown hook, no close frames, no $disconnect. Returns the exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
        return process.exitValue();
    }

    String logText() throws java.io.IOException {
        return Files.readString(log);
    }

    /** SIGTERM, as Ctrl-C: local mode closes its connections and stops its store. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
