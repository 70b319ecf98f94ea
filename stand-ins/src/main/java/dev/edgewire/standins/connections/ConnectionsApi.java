package dev.edgewire.standins.connections;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.edgewire.standins.sigv4.SigV4Check;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What API Gateway's {@code @connections} management API answers, whatever server carries it:
 * {@code POST} sends data to a connection, {@code GET} describes it, {@code DELETE} closes it; an
 * unknown or closed id answers 410 with {@code x-amzn-ErrorType: GoneException}, so
 * {@code ApiGatewayManagementApiClient} raises the same {@code GoneException} it raises against AWS.
 * Errors carry API Gateway's error types and words. (Amazon API Gateway Developer Guide, "Use
 * @connections commands in your backend service".)
 *
 * <p>Local mode serves it over its live WebSocket connections; the functions' tests serve it over
 * connections that record what they are sent.
 */
public final class ConnectionsApi {

    /** Largest data a post may carry: API Gateway's WebSocket frame limit is 128 KB. */
    public static final int MAX_DATA = 128 * 1024;
    /** The service name {@code @connections} requests are signed for. */
    public static final String SIGNING_NAME = "execute-api";
    /** API Gateway's words for a signature that does not match. */
    public static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature "
            + "you provided. Check your AWS Secret Access Key and signing method.";
    /** {@code /@connections/{id}}, with or without the stage in front. */
    private static final Pattern PATH = Pattern.compile("^(?:/[^/@]+)?/@connections/([^/]+)$");

    /** A connection the API reaches. */
    public interface Connection {

        /** Sends one text frame; completes false if the connection is gone before it is written. */
        CompletableFuture<Boolean> send(String data);

        /** Closes the connection as the application asked. */
        void close();

        long connectedAt();

        long lastActiveAt();

        String sourceIp();

        String userAgent();
    }

    /** An answer: status, {@code x-amzn-ErrorType} (null on success) and JSON body (empty for none). */
    public record Reply(int status, String errorType, String body) {

        static Reply error(int status, String type, String message) {
            return new Reply(status, type, message == null ? "{\"message\":null}"
                    : "{\"message\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}");
        }
    }

    private ConnectionsApi() {
    }

    /** The connection id of an {@code @connections} path, decoded; empty for any other path. */
    public static Optional<String> connectionId(String rawPath) {
        Matcher m = PATH.matcher(rawPath);
        return m.matches() ? Optional.of(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8)) : Optional.empty();
    }

    /** The refusal of a request whose signature is not {@link SigV4Check.Verdict#VALID}; empty if it is. */
    public static Optional<Reply> refusal(SigV4Check.Verdict verdict) {
        return switch (verdict) {
            case VALID -> Optional.empty();
            case MISMATCH -> Optional.of(Reply.error(403, "InvalidSignatureException", SIGNATURE_MISMATCH));
            case EXPIRED -> Optional.of(Reply.error(403, "InvalidSignatureException", "Signature expired: X-Amz-Date is "
                    + "missing or more than " + SigV4Check.MAX_SKEW.toMinutes() + " minutes from the server's time"));
            case MISSING, UNKNOWN_KEY -> Optional.of(Reply.error(403, "ForbiddenException",
                    "Missing or wrong SigV4 signature; sign with the local credentials"));
        };
    }

    /** The refusal of data over {@link #MAX_DATA}. */
    public static Reply tooLarge() {
        return Reply.error(413, "PayloadTooLargeException", "Message too long");
    }

    /**
     * Serves one call on the connection {@code id}, found through {@code connections}: {@code POST}
     * answers when the frame is written, without holding the caller's thread while it is.
     */
    public static CompletableFuture<Reply> serve(String method, String id, byte[] data,
                                                 Function<String, Optional<? extends Connection>> connections) {
        Optional<? extends Connection> found = connections.apply(id);
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(gone());
        }
        Connection connection = found.get();
        return switch (method) {
            case "POST" -> connection.send(new String(data, StandardCharsets.UTF_8))
                    .thenApply(delivered -> delivered ? new Reply(200, null, "{}") : gone());
            case "GET" -> CompletableFuture.completedFuture(new Reply(200, null, describe(connection)));
            case "DELETE" -> {
                connection.close();
                yield CompletableFuture.completedFuture(new Reply(204, null, ""));
            }
            default -> CompletableFuture.completedFuture(
                    Reply.error(405, "MethodNotAllowedException", "Use GET, POST or DELETE"));
        };
    }

    /** 410: the connection is unknown or closed. */
    public static Reply gone() {
        return Reply.error(410, "GoneException", null);
    }

    /** GetConnection's answer, with the field names of the service model, which is what the SDK reads. */
    private static String describe(Connection c) {
        JsonStringEncoder json = JsonStringEncoder.getInstance();
        return "{\"connectedAt\":\"" + Instant.ofEpochMilli(c.connectedAt()) + "\","
                + "\"identity\":{\"sourceIp\":\"" + new String(json.quoteAsString(c.sourceIp())) + "\",\"userAgent\":\""
                + new String(json.quoteAsString(c.userAgent())) + "\"},"
                + "\"lastActiveAt\":\"" + Instant.ofEpochMilli(c.lastActiveAt()) + "\"}";
    }
}
