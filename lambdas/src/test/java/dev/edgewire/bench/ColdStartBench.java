package dev.edgewire.bench;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.testing.ConnectionsApiServer;
import dev.edgewire.testing.DynamoDbExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Cold start of every handler in a fresh JVM, against local endpoints (dynalite, and a local
 * {@code @connections}/IoT/Secrets Manager server), beside a hello handler. Each JVM runs the
 * shaded jar with the JIT flags Lambda's Java runtime uses, builds the handler through its
 * no-argument constructor from environment variables, and serves one event.
 *
 * <p>Arguments: runs per handler (default 7), path of the shaded jar.
 */
public final class ColdStartBench {

    static final String TOKEN_KEY = "bench-token-key-0123456789abcdefghij";
    private static final List<String> TARGETS = List.of("HELLO", "CONNECT", "DISCONNECT", "SEND_MESSAGE", "DEFAULT", "AUTHORIZER", "FAN_OUT");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path jar = Path.of(args.length > 1 ? args[1] : "target/edgewire-lambdas-0.1.0-SNAPSHOT.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no shaded jar at " + jar + "; run ./mvnw -pl lambdas package first");
        }
        String serialization = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("aws-lambda-java-serialization")).findFirst()
                .orElseThrow(() -> new IllegalStateException("aws-lambda-java-serialization is not on the class path"));
        String testClasses = Path.of(ColdStartBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String childClassPath = String.join(File.pathSeparator, jar.toString(), testClasses, serialization);

        try (DynamoDbExtension.Server dynamo = DynamoDbExtension.startStandalone();
             ConnectionsApiServer api = new ConnectionsApiServer();
             DynamoDbClient client = dynamo.endpoint().newClient()) {
            api.serveSecret(TOKEN_KEY);
            String table = dynamo.endpoint().createConnectionTable(client);
            var connections = new ConnectionRepository(client, table, Clock.systemUTC(), 1);
            for (int i = 0; i < 10; i++) {
                connections.save("bench-" + i, null);
            }
            Map<String, String> env = new HashMap<>();
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "local");
            env.put("AWS_SECRET_ACCESS_KEY", "local");
            env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().uri().toString());
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", api.iotDataEndpoint().toString());
            env.put("CONNECTIONS_TABLE", table);
            env.put("CALLBACK_URL", api.callbackUrl().toString());
            env.put("IOT_DATA_ENDPOINT", api.iotDataEndpoint().toString());
            env.put("TOKEN_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench");

            System.out.printf("jar %s (%d bytes), %d runs each, medians in ms%n", jar.getFileName(), Files.size(jar), runs);
            System.out.printf("%-13s %10s %12s %10s %12s%n", "handler", "construct", "first event", "sum", "process");
            for (String target : TARGETS) {
                List<Double> construct = new ArrayList<>();
                List<Double> first = new ArrayList<>();
                List<Double> process = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    double[] r = runChild(childClassPath, target, env);
                    construct.add(r[0]);
                    first.add(r[1]);
                    process.add(r[2]);
                }
                System.out.printf("%-13s %10.1f %12.1f %10.1f %12.1f%n", target, median(construct), median(first),
                        median(construct) + median(first), median(process));
            }
        }
    }

    private static double[] runChild(String classPath, String target, Map<String, String> env) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-cp", classPath, ColdStartChild.class.getName(), target).redirectErrorStream(true);
        pb.environment().putAll(env);
        long started = System.nanoTime();
        Process process = pb.start();
        String result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.append(line).append('\n');
                if (line.startsWith("RESULT ")) {
                    result = line;
                }
            }
        }
        int exit = process.waitFor();
        double wall = (System.nanoTime() - started) / 1e6;
        if (exit != 0 || result == null) {
            throw new IllegalStateException(target + " failed with exit " + exit + ":\n" + output);
        }
        String[] parts = result.split(" ");
        return new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), wall};
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
