package dev.edgewire.bench;

import dev.edgewire.connection.ConnectionRepository;
import dev.edgewire.testing.ConnectionsApiServer;
import dev.edgewire.testing.DynamoDbExtension;
import dev.edgewire.testing.LambdaJvm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
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

    private static final List<String> TARGETS = List.of("HELLO", "CONNECT", "DISCONNECT", "SEND_MESSAGE", "DEFAULT", "AUTHORIZER", "FAN_OUT");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path jar = args.length > 1 ? Path.of(args[1]) : LambdaJvm.shadedJar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no shaded jar at " + jar + "; run ./mvnw -pl lambdas package first");
        }
        LambdaJvm lambda = LambdaJvm.ofJar(jar);

        try (DynamoDbExtension.Server dynamo = DynamoDbExtension.startStandalone();
             ConnectionsApiServer api = new ConnectionsApiServer();
             DynamoDbClient client = dynamo.endpoint().newClient()) {
            api.serveSecret(ColdStartChild.TOKEN_KEY);
            String table = dynamo.endpoint().createConnectionTable(client);
            var connections = new ConnectionRepository(client, table, Clock.systemUTC(), 1);
            for (int i = 0; i < 10; i++) {
                connections.save("bench-" + i, null);
            }
            Map<String, String> env = lambdaEnvironment(dynamo.endpoint().uri(), api, table);

            System.out.printf("jar %s (%d bytes), %d runs each, medians in ms%n", jar.getFileName(), Files.size(jar), runs);
            System.out.printf("%-13s %10s %12s %10s %12s%n", "handler", "construct", "first event", "sum", "process");
            for (String target : TARGETS) {
                List<Double> construct = new ArrayList<>();
                List<Double> first = new ArrayList<>();
                List<Double> process = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    LambdaJvm.Run r = lambda.run(target, env);
                    construct.add(r.constructMs());
                    first.add(r.firstEventMs());
                    process.add(r.processMs());
                }
                System.out.printf("%-13s %10.1f %12.1f %10.1f %12.1f%n", target, median(construct), median(first),
                        median(construct) + median(first), median(process));
            }
        }
    }

    /** The variables Lambda would set, pointed at local endpoints (the SDK reads AWS_ENDPOINT_URL_* itself). */
    public static Map<String, String> lambdaEnvironment(URI dynamoDb, ConnectionsApiServer api, String table) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", api.iotDataEndpoint().toString());
        env.put("CONNECTIONS_TABLE", table);
        env.put("CALLBACK_URL", api.callbackUrl().toString());
        env.put("IOT_DATA_ENDPOINT", api.iotDataEndpoint().toString());
        env.put("TOKEN_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-key");
        return env;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
