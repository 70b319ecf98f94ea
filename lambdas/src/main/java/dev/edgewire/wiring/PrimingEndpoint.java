package dev.edgewire.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgewire.contract.SqsChecksums;
import dev.edgewire.runtime.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32;

/**
 * A throwaway HTTP server on the loopback interface for priming: it answers the calls the
 * functions make (DynamoDB, SQS and Secrets Manager in their JSON protocols, the IoT data plane's
 * publish, {@code @connections} posts, Lambda's Invoke) with canned, well-formed answers, so every
 * SDK client runs its whole request and response path without reaching AWS or touching data.
 * Connections are kept alive, as AWS keeps them, so the JDK's keep-alive path is primed too, until
 * a request to {@link #CLOSE_PATH}, which is answered with {@code Connection: close}: the client
 * then closes the connection instead of pooling it. {@link #close()} stops the server and its
 * thread, and closes what is still open on its side.
 */
final class PrimingEndpoint implements AutoCloseable {

    /** One request it answered: the operation it took it for, and whether it came signed with SigV4. */
    record Call(String operation, boolean signed) {
    }

    /** The table whose conditional writes it refuses, so the SDK's error path is primed too. */
    static final String REFUSING_TABLE = "priming-refused";
    /** The connection its {@code @connections} answers as gone (410). */
    static final String GONE_CONNECTION = "priming-gone";
    /** The path whose answer closes the connection it came on. */
    static final String CLOSE_PATH = "/priming-close";
    /** The value it serves as the token key: not a secret, and never a key anything accepts. */
    static final String SECRET_VALUE = "priming-secret-value-not-a-key-0123456789";

    private static final String DYNAMODB = "DynamoDB_20120810.";
    private static final String SQS = "AmazonSQS.";
    private static final String SECRETS_MANAGER = "secretsmanager.";
    private static final String JSON_1_0 = "application/x-amz-json-1.0";
    private static final String JSON_1_1 = "application/x-amz-json-1.1";

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    private PrimingEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Listening on 127.0.0.1, on a port the system picks. */
    static PrimingEndpoint start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        PrimingEndpoint endpoint = new PrimingEndpoint(server);
        server.createContext("/", endpoint::answer);
        server.start();
        return endpoint;
    }

    URI uri() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort());
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The requests answered so far, in order. */
    List<Call> calls() {
        return List.copyOf(calls);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean signed = authorization != null && authorization.startsWith("AWS4-HMAC-SHA256 ");
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String path = exchange.getRequestURI().getRawPath();
            Answer answer;
            if (target != null && target.startsWith(DYNAMODB)) {
                answer = dynamoDb(target.substring(DYNAMODB.length()), Json.MAPPER.readTree(body));
            } else if (target != null && target.startsWith(SQS)) {
                answer = sqs(target.substring(SQS.length()), Json.MAPPER.readTree(body));
            } else if (target != null && target.startsWith(SECRETS_MANAGER)) {
                answer = secretsManager(target.substring(SECRETS_MANAGER.length()), Json.MAPPER.readTree(body));
            } else if (path.startsWith("/topics/")) {
                answer = new Answer("Publish", 200, "application/json", "{}", null);
            } else if (path.contains("/@connections/")) {
                answer = path.endsWith("/" + GONE_CONNECTION)
                        ? new Answer("PostToConnection", 410, "application/json", "{\"message\":\"Gone\"}", "GoneException")
                        : new Answer("PostToConnection", 200, "application/json", "", null);
            } else if (path.startsWith("/2015-03-31/functions/")) {
                answer = new Answer("Invoke", 202, "application/json", "", null);
            } else if (path.equals(CLOSE_PATH)) {
                answer = new Answer("Close", 200, "application/json", "", null);
            } else {
                answer = new Answer("unknown " + exchange.getRequestMethod() + " " + path, 404, "application/json",
                        "{\"message\":\"not served when priming\"}", null);
            }
            calls.add(new Call(answer.operation(), signed));
            respond(exchange, answer);
        }
    }

    /** @param crc32 whether the answer carries the CRC32 of its body, as DynamoDB's do (and the SDK checks) */
    private record Answer(String operation, int status, String contentType, String body, String errorType, boolean crc32) {
        Answer(String operation, int status, String contentType, String body, String errorType) {
            this(operation, status, contentType, body, errorType, false);
        }
    }

    private static Answer dynamoDb(String operation, JsonNode request) {
        String table = request.path("TableName").asText();
        if (REFUSING_TABLE.equals(table) && request.has("ConditionExpression")) {
            return new Answer(operation, 400, JSON_1_0, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                    + "\"message\":\"The conditional request failed\",\"Item\":{\"connectionId\":{\"S\":\"priming\"},"
                    + "\"messageClock\":{\"N\":\"1\"}}}", null, true);
        }
        String body = switch (operation) {
            case "GetItem" -> "{\"Item\":{\"connectionId\":{\"S\":\"priming\"},\"places\":{\"SS\":[\"priming#1\"]}}}";
            case "UpdateItem" -> "{\"Attributes\":{\"messageClock\":{\"N\":\"1\"},\"places\":{\"SS\":[\"priming#1\"]}}}";
            case "DeleteItem" -> "{\"Attributes\":{\"connectionId\":{\"S\":\"priming\"},\"subject\":{\"S\":\"priming\"}}}";
            case "Scan", "Query" -> "{\"Items\":[{\"connectionId\":{\"S\":\"priming\"},\"devices\":{\"L\":[{\"S\":\"thing-1\"}]}}],"
                    + "\"Count\":1,\"ScannedCount\":1}";
            default -> "{}";
        };
        return new Answer(operation, 200, JSON_1_0, body, null, true);
    }

    /** SQS answers carry the checksums the SDK verifies (Amazon SQS Developer Guide, message attribute MD5). */
    private static Answer sqs(String operation, JsonNode request) {
        Map<String, Object> answer = new LinkedHashMap<>();
        switch (operation) {
            case "SendMessage" -> {
                answer.put("MessageId", "priming-message");
                answer.put("MD5OfMessageBody", SqsChecksums.md5OfBody(request.path("MessageBody").asText()));
                Map<String, String> attributes = stringAttributes(request.path("MessageAttributes"));
                if (!attributes.isEmpty()) {
                    answer.put("MD5OfMessageAttributes", SqsChecksums.md5OfStringAttributes(attributes));
                }
            }
            case "ReceiveMessage" -> {
                String body = "{\"priming\":true}";
                Map<String, String> attributes = Map.of("kind", "reading");
                answer.put("Messages", List.of(Map.of("MessageId", "priming-message", "ReceiptHandle", "priming-receipt",
                        "Body", body, "MD5OfBody", SqsChecksums.md5OfBody(body),
                        "MessageAttributes", Map.of("kind", Map.of("DataType", "String", "StringValue", "reading")),
                        "MD5OfMessageAttributes", SqsChecksums.md5OfStringAttributes(attributes))));
            }
            case "DeleteMessageBatch", "SendMessageBatch" -> {
                List<Map<String, String>> done = new ArrayList<>();
                request.path("Entries").forEach(entry -> done.add(Map.of("Id", entry.path("Id").asText())));
                answer.put("Successful", done);
                answer.put("Failed", List.of());
            }
            default -> {
                // DeleteMessage and the like answer an empty object.
            }
        }
        return new Answer(operation, 200, JSON_1_0, Json.write(answer), null);
    }

    /** AWSCURRENT is served; AWSPREVIOUS is not there, as for a secret never rotated. */
    private static Answer secretsManager(String operation, JsonNode request) {
        String stage = request.path("VersionStage").asText("AWSCURRENT");
        if (!"AWSCURRENT".equals(stage)) {
            return new Answer(operation, 400, JSON_1_1, "{\"__type\":\"ResourceNotFoundException\","
                    + "\"Message\":\"Secrets Manager can't find the specified secret value for staging label: " + stage + "\"}", null);
        }
        String arn = request.path("SecretId").asText();
        return new Answer(operation, 200, JSON_1_1, Json.write(Map.of("ARN", arn, "Name", "priming",
                "VersionId", "priming-version", "SecretString", SECRET_VALUE, "VersionStages", List.of("AWSCURRENT"))), null);
    }

    private static void respond(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        var headers = exchange.getResponseHeaders();
        headers.add("Content-Type", answer.contentType());
        headers.add("x-amzn-RequestId", "priming");
        if (answer.operation().equals("Close")) {
            headers.add("Connection", "close");
        }
        if (answer.crc32()) {
            CRC32 crc = new CRC32();
            crc.update(bytes);
            headers.add("x-amz-crc32", Long.toString(crc.getValue()));
        }
        if (answer.errorType() != null) {
            headers.add("x-amzn-ErrorType", answer.errorType());
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> stringAttributes(JsonNode attributes) {
        Map<String, String> strings = new TreeMap<>();
        attributes.properties().forEach(e -> strings.put(e.getKey(), e.getValue().path("StringValue").asText()));
        return strings;
    }

    /** Stops listening and closes every connection at once; returns when its thread has ended. */
    @Override
    public void close() {
        server.stop(0);
    }
}
