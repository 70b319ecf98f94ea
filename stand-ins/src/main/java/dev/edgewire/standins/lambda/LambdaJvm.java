package dev.edgewire.standins.lambda;

import dev.edgewire.contract.Topology;
import dev.edgewire.standins.cloud.CloudStandIn;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one handler in a fresh JVM from the shaded jar, built through its no-argument constructor
 * from environment variables exactly as Lambda builds it, and serves one event
 * ({@link ColdStartChild}).
 */
public final class LambdaJvm {

    /** What the JVM printed: construct and first-event times, and the handler's response as JSON. */
    public record Run(double constructMs, double firstEventMs, double processMs, String responseJson, String output) {
    }

    /** The secret the stand-in serves as the token key, whatever ARN it is asked for. */
    public static final String TOKEN_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-key";
    /** The fan-out's alias, which takes over a broadcast that runs out of time. */
    public static final String READINGS_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/edgewire-Readings";
    public static final String CONTINUATION_FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:edgewire-FanOut:live";

    private final String classPath;

    private LambdaJvm(String classPath) {
        this.classPath = classPath;
    }

    /** With the shaded jar in {@code targetDir}, the functions' module's build output. */
    public static LambdaJvm ofShadedJar(Path targetDir) {
        return ofJar(shadedJar(targetDir));
    }

    /** The Lambda jar first, as Lambda's class path has it; then these stand-ins and the runtime's serializer. */
    public static LambdaJvm ofJar(Path jar) {
        String serialization = classPathJar("aws-lambda-java-serialization").toString();
        try {
            // The child's main, its events and its Lambda context, which the Lambda jar never holds.
            String standIns = Path.of(ColdStartChild.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            return new LambdaJvm(String.join(File.pathSeparator, jar.toAbsolutePath().toString(), standIns, serialization));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The jar of {@code artifactId} on this JVM's class path (or the tests' class path, as failsafe and surefire give it). */
    public static Path classPathJar(String artifactId) {
        return Stream.of(System.getProperty("surefire.test.class.path", ""), System.getProperty("java.class.path", ""))
                .flatMap(cp -> Arrays.stream(cp.split(File.pathSeparator)))
                .map(Path::of)
                .filter(p -> p.getFileName() != null && p.getFileName().toString().matches(Pattern.quote(artifactId) + "-\\d.*\\.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(artifactId + " is not on the class path"));
    }

    /** {@code edgewire-lambdas-<version>-aws-lambda.jar} in {@code targetDir}, the artifact infra deploys. */
    public static Path shadedJar(Path targetDir) {
        try (Stream<Path> files = Files.list(targetDir)) {
            return files.filter(p -> p.getFileName().toString().matches("edgewire-lambdas-.*-aws-lambda\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no shaded jar in " + targetDir
                            + "; build it with ./mvnw -pl lambdas -am package"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The variables Lambda would set, pointed at local endpoints (the SDK reads AWS_ENDPOINT_URL_* itself). */
    public static Map<String, String> lambdaEnvironment(URI dynamoDb, CloudStandIn api, String table) {
        Map<String, String> env = new HashMap<>(stackVariables(api, table));
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.putAll(endpointOverrides(dynamoDb, api));
        return env;
    }

    /**
     * The {@link Topology.Env} variables the stack gives {@code function}: those it declares
     * ({@link Topology.Function#environment()}), pointed at the local stand-ins.
     */
    public static Map<String, String> functionEnvironment(Topology.Function function, CloudStandIn api, String table) {
        Map<String, String> env = new HashMap<>(stackVariables(api, table));
        env.keySet().retainAll(function.environment());
        return env;
    }

    /**
     * Where the SDK clients send what would go to AWS: {@code AWS_ENDPOINT_URL_<SERVICE>}, which the
     * SDK reads itself. Secrets Manager, Lambda (a broadcast's continuation) and SQS (the readings queue) go to the
     * {@code @connections} stand-in.
     */
    public static Map<String, String> endpointOverrides(URI dynamoDb, CloudStandIn api) {
        return Map.of(
                "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString(),
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", api.iotDataEndpoint().toString(),
                "AWS_ENDPOINT_URL_LAMBDA", api.iotDataEndpoint().toString(),
                "AWS_ENDPOINT_URL_SQS", api.iotDataEndpoint().toString());
    }

    private static Map<String, String> stackVariables(CloudStandIn api, String table) {
        return Map.of(
                Topology.Env.CONNECTIONS_TABLE, table,
                Topology.Env.CALLBACK_URL, api.callbackUrl().toString(),
                Topology.Env.IOT_DATA_ENDPOINT, api.iotDataEndpoint().toString(),
                Topology.Env.OUTBOUND_TOPIC, Topology.Topics.GENERAL_OUTBOUND,
                Topology.Env.COMMAND_TOPIC_TEMPLATE, Topology.Topics.COMMANDS_TEMPLATE,
                Topology.Env.TOKEN_SECRET_ARN, TOKEN_SECRET_ARN,
                Topology.Env.CONTINUATION_FUNCTION, CONTINUATION_FUNCTION_ARN,
                Topology.Env.READINGS_QUEUE_URL, READINGS_QUEUE_URL);
    }

    /** @param target a {@code Topology.Function} name, or {@code HELLO} */
    public Run run(String target, Map<String, String> env) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // The JIT settings of Lambda's Java runtime.
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-cp", classPath, ColdStartChild.class.getName(), target).redirectErrorStream(true);
        pb.environment().putAll(env);
        long started = System.nanoTime();
        try {
            Process process = pb.start();
            String result = null;
            String response = null;
            StringBuilder output = new StringBuilder();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.startsWith(ColdStartChild.RESULT)) {
                        result = line;
                    } else if (line.startsWith(ColdStartChild.RESPONSE)) {
                        response = line.substring(ColdStartChild.RESPONSE.length());
                    }
                }
            }
            int exit = process.waitFor();
            double wall = (System.nanoTime() - started) / 1e6;
            if (exit != 0 || result == null) {
                throw new IllegalStateException(target + " failed with exit " + exit + ":\n" + output);
            }
            String[] parts = result.split(" ");
            return new Run(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), wall, response, output.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
