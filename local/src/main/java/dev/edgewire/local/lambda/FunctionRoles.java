package dev.edgewire.local.lambda;

import dev.edgewire.broadcast.Continuation;
import dev.edgewire.broadcast.Workers;
import dev.edgewire.queue.ReadingsQueueClient;
import dev.edgewire.runtime.Lazy;
import dev.edgewire.wiring.CloudServices;
import dev.edgewire.contract.Metrics;
import dev.edgewire.contract.Topology.Env;
import dev.edgewire.contract.Topology.Function;
import dev.edgewire.contract.Topology.Need;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.pagination.sync.SdkIterable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Each function's services as its role and its environment on AWS allow them, and no more: a
 * client it has no {@link Need} for is missing its setting (as the stack would not set the
 * variable), and a call its needs do not grant is refused with {@code AccessDeniedException}, as
 * IAM refuses it. So a handler that starts calling something without declaring it fails in local
 * mode and its tests, not first on AWS.
 */
public final class FunctionRoles {

    /**
     * What every function may be given; each takes the part its needs name.
     *
     * @param shardSize connections a fan-out invocation posts to itself before it hands shards to workers
     *                  (the {@code SHARD_SIZE} variable on AWS)
     * @param stage the stage served, every function's {@code STAGE} (the metrics' dimension)
     * @param metricsDocuments gets every metrics document a function writes, besides standard output
     */
    public record Shared(Region region, AwsCredentialsProvider credentials, DynamoDbClient store, String table,
                         URI callbackUrl, IotDataPlaneClient iotData, byte[] tokenKey, int broadcastConcurrency,
                         Duration connectionCacheTtl, Continuation continuation, Workers workers,
                         Supplier<SqsClient> sqs, Supplier<String> readingsQueueUrl, int shardSize,
                         String stage, Consumer<String> metricsDocuments, int connectionsPerSubject) {
    }

    private FunctionRoles() {
    }

    /** {@code function}'s services, scoped to its needs. */
    public static CloudServices services(Function function, Shared shared) {
        Set<String> environment = function.environment();
        Set<String> actions = function.actions();
        CloudServices.Builder b = CloudServices.builder()
                .region(shared.region())
                .credentialsProvider(shared.credentials())
                .broadcastConcurrency(shared.broadcastConcurrency())
                .connectionCacheTtl(shared.connectionCacheTtl())
                // Every function's environment on AWS: the stage and the metrics' namespace.
                .stage(shared.stage())
                .metricsNamespace(Metrics.NAMESPACE)
                .metricsListener(shared.metricsDocuments())
                .connectionsPerSubject(shared.connectionsPerSubject());
        if (environment.contains(Env.CONNECTIONS_TABLE)) {
            b.connectionsTable(shared.table())
                    .dynamoDbClient(guard(DynamoDbClient.class, shared.store(), "dynamodb", actions, function));
        }
        if (environment.contains(Env.CALLBACK_URL)) {
            b.callbackUrl(shared.callbackUrl());
        }
        if (environment.contains(Env.IOT_DATA_ENDPOINT)) {
            b.iotDataClient(guard(IotDataPlaneClient.class, shared.iotData(), "iot", actions, function));
        }
        if (environment.contains(Env.READINGS_QUEUE_URL)) {
            Lazy<SqsClient> sqs = Lazy.of(() -> guard(SqsClient.class, shared.sqs().get(), "sqs", actions, function));
            b.readingsQueue(new ReadingsQueueClient(sqs::get, shared.readingsQueueUrl()));
        }
        if (function.needs(Need.READ_TOKEN_KEY)) {
            b.tokenKey(shared.tokenKey());
        }
        if (function.needs(Need.CONTINUE_BROADCAST)) {
            b.continuation(shared.continuation()).workers(shared.workers()).shardSize(shared.shardSize());
        } else {
            b.continuation((payload, ids, attempt, context) -> {
                throw denied(function, Need.CONTINUE_BROADCAST.actions().get(0));
            }).workers((shard, context) -> {
                throw denied(function, Need.CONTINUE_BROADCAST.actions().get(0));
            });
        }
        return b.build();
    }

    /**
     * {@code client}, refusing every operation whose IAM action ({@code prefix:Operation}) is not in
     * {@code actions}. Operations are the methods that return a response or a paginator.
     */
    static <T> T guard(Class<T> type, T client, String prefix, Set<String> actions, Function function) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (isOperation(method)) {
                String action = prefix + ":" + operation(method.getName());
                if (!actions.contains(action)) {
                    throw denied(function, action);
                }
            }
            try {
                return method.invoke(client, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static boolean isOperation(Method method) {
        return SdkResponse.class.isAssignableFrom(method.getReturnType())
                || SdkIterable.class.isAssignableFrom(method.getReturnType());
    }

    /**
     * {@code scanPaginator} is the {@code Scan} action, {@code putItem} is {@code PutItem}. SQS's
     * batch operations are allowed by their single action: {@code DeleteMessageBatch} by
     * {@code sqs:DeleteMessage} (Amazon SQS Developer Guide, "Amazon SQS API permissions: Actions and
     * resource reference").
     */
    static String operation(String methodName) {
        String name = methodName.endsWith("Paginator")
                ? methodName.substring(0, methodName.length() - "Paginator".length()) : methodName;
        if (name.endsWith("Batch") && !name.startsWith("batch")) {
            name = name.substring(0, name.length() - "Batch".length());
        }
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static AwsServiceException denied(Function function, String action) {
        String message = "User: arn:aws:sts::000000000000:assumed-role/edgewire-" + function.id()
                + "/local is not authorized to perform: " + action + " (its needs in Topology do not grant it)";
        return AwsServiceException.builder()
                .statusCode(400)
                .message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").errorMessage(message)
                        .build())
                .build();
    }
}
