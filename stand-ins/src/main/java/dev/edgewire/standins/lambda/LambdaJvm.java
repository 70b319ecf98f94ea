package dev.edgewire.standins.lambda;

import dev.edgewire.contract.Topology;
import dev.edgewire.standins.cloud.CloudStandIn;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Runs one handler in a fresh JVM from the shaded jar, built through its no-argument constructor
 * from environment variables exactly as Lambda builds it, and serves one event
 * ({@link ColdStartChild}).
 */
public final class LambdaJvm {

    /**
     * What the JVM printed: construct and first-event times, the classes loaded by construction and by
     * the end of the first event (less those loaded before construction), and the handler's response as JSON.
     */
    public record Run(double constructMs, double firstEventMs, double processMs, long classesConstructed,
                      long classesAfterFirst, String responseJson, String output) {
    }

    /**
     * What the JVM printed in the SnapStart-like run: the times of construction, of the CRaC hooks
     * ({@code beforeCheckpoint}, where the functions prime, and {@code afterRestore}), of the first
     * invocation after them and the median of the warm ones; and the classes loaded since the JVM
     * started, before construction and after each step.
     */
    public record Restored(double constructMs, double beforeCheckpointMs, double afterRestoreMs, double firstInvocationMs,
                           double warmMedianMs, long classesAtStart, long classesConstructed, long classesAfterHooks,
                           long classesAfterFirst, long classesAfterWarm, String responseJson, String output) {
    }

    /**
     * {@code org.crac}'s switch to the runtime client's CRaC context, which Lambda's Java runtime
     * sets (see the functions' {@code LambdaExecutionEnvironment}); without it {@code org.crac} on
     * a JDK without CRaC drops every registration.
     */
    public static final String CRAC_COMPAT = "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac";

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
        Child child = launch(List.of(), List.of(target), ColdStartChild.RESULT, target, env);
        String[] parts = child.result().split(" ");
        return new Run(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), child.wallMs(), Long.parseLong(parts[3]),
                Long.parseLong(parts[4]), child.response(), child.output());
    }

    /**
     * The SnapStart-like run of {@code function} ({@link ColdStartChild}): construction, the CRaC
     * hooks through the runtime client's context, the first invocation, then {@code warm} more,
     * each after {@code pause} (outside the times). The runtime client's jar joins the class path,
     * as it is on Lambda's.
     */
    public Restored runRestored(Topology.Function function, int warm, Duration pause, Map<String, String> env) {
        Path runtimeClient = classPathJar("aws-lambda-java-runtime-interface-client");
        Child child = launch(List.of(CRAC_COMPAT, "-D" + NATIVE_CLIENT_JNI + "=" + jniLibrary(runtimeClient),
                        "-cp", classPath + File.pathSeparator + runtimeClient),
                List.of(function.name(), ColdStartChild.RESTORE, Integer.toString(warm), Long.toString(pause.toMillis())), ColdStartChild.RESTORED, function.name(), env);
        String[] p = child.result().split(" ");
        return new Restored(Double.parseDouble(p[1]), Double.parseDouble(p[2]), Double.parseDouble(p[3]), Double.parseDouble(p[4]),
                Double.parseDouble(p[5]), Long.parseLong(p[6]), Long.parseLong(p[7]), Long.parseLong(p[8]), Long.parseLong(p[9]),
                Long.parseLong(p[10]), child.response(), child.output());
    }

    private record Child(String result, String response, String output, double wallMs) {
    }

    /** The runtime client's system property for the JNI library to load instead of unpacking its own to /tmp. */
    private static final String NATIVE_CLIENT_JNI = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static Path jniLibrary;

    /**
     * The runtime client's JNI library, which its CRaC context calls before a checkpoint (it clears the
     * DNS cache there), unpacked once per JVM to a directory of its own: the client's default, one fixed
     * file in /tmp that every JVM overwrites, would race between runs.
     */
    private static synchronized Path jniLibrary(Path runtimeClientJar) {
        if (jniLibrary != null) {
            return jniLibrary;
        }
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch_64";
            default -> throw new IllegalStateException("the Lambda runtime client has no JNI library for " + System.getProperty("os.arch"));
        };
        try (Stream<Path> lib = Files.list(Path.of("/lib"))) {
            boolean musl = lib.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
            String name = "libaws-lambda-jni." + (musl ? "linux_musl-" : "linux-") + arch + ".so";
            try (ZipFile zip = new ZipFile(runtimeClientJar.toFile())) {
                ZipEntry entry = zip.getEntry("jni/" + name);
                if (entry == null) {
                    throw new IllegalStateException(runtimeClientJar + " has no jni/" + name);
                }
                Path dir = Files.createTempDirectory("edgewire-lambda-jni");
                Path library = dir.resolve(name);
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, library);
                }
                library.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                return jniLibrary = library;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param flags JVM flags after the JIT ones; a {@code -cp} among them replaces the default class path */
    private Child launch(List<String> flags, List<String> args, String resultPrefix, String target, Map<String, String> env) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(),
                // The JIT settings of Lambda's Java runtime.
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"));
        command.addAll(flags);
        if (!flags.contains("-cp")) {
            command.addAll(List.of("-cp", classPath));
        }
        command.add(ColdStartChild.class.getName());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
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
                    if (line.startsWith(resultPrefix)) {
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
            return new Child(result, response, output.toString(), wall);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
