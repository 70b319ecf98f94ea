package dev.edgewire.local.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.local.http.CloudCredentials;
import dev.edgewire.local.http.HttpIo;
import dev.edgewire.standins.sigv4.SigV4Check;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of the Lambda API that concerns local mode's event source mappings, on its web server, so the
 * AWS CLI and SDKs manage them as on AWS with an endpoint override:
 * {@code ListEventSourceMappings} ({@code GET /2015-03-31/event-source-mappings/}, filtered by
 * {@code FunctionName} and {@code EventSourceArn}), {@code GetEventSourceMapping}
 * ({@code GET .../{UUID}}) and {@code UpdateEventSourceMapping} ({@code PUT .../{UUID}}) with
 * {@code Enabled} only, which pauses or resumes a mapping. Requests must be SigV4-signed by the local
 * identity. Other Lambda operations get {@code UnknownOperationException}; other paths go to the
 * wrapped handler.
 */
public final class EventSourceMappingsApi extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(EventSourceMappingsApi.class);
    /** The Lambda API's version prefix; every Lambda operation's path starts with it. */
    public static final String PREFIX = "/2015-03-31/";
    private static final String MAPPINGS = PREFIX + "event-source-mappings";
    private static final int MAX_BODY = 64 * 1024;

    private final CloudCredentials cloud;
    private final List<EventSourceMapping> mappings;
    private final ObjectMapper json = new ObjectMapper();

    public EventSourceMappingsApi(CloudCredentials cloud, List<EventSourceMapping> mappings, Handler next) {
        this.cloud = cloud;
        this.mappings = List.copyOf(mappings);
        // As the wrapped handler, next is started, stopped and given the server along with this one.
        setHandler(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith(PREFIX)) {
            return super.handle(request, response, callback);
        }
        byte[] body;
        try {
            body = HttpIo.body(request, MAX_BODY);
        } catch (HttpIo.TooLarge e) {
            return error(response, callback, 413, "RequestTooLargeException", "Request must be smaller than "
                    + MAX_BODY + " bytes for this operation");
        }
        Optional<Reply> refused = refusal(cloud.check(request, body, "lambda"));
        if (refused.isPresent()) {
            return refused.get().write(response, callback);
        }
        Reply reply = serve(request.getMethod(), path, Request.extractQueryParameters(request), body);
        return reply.write(response, callback);
    }

    private Reply serve(String method, String path, Fields query, byte[] body) {
        String rest = path.equals(MAPPINGS) || path.equals(MAPPINGS + "/") ? ""
                : path.startsWith(MAPPINGS + "/") ? path.substring(MAPPINGS.length() + 1) : null;
        if (rest == null || (rest.isEmpty() && !method.equals("GET")) || (!rest.isEmpty() && !method.equals("GET")
                && !method.equals("PUT"))) {
            return Reply.error(404, "UnknownOperationException", "Local mode's Lambda API serves only "
                    + "ListEventSourceMappings, GetEventSourceMapping and UpdateEventSourceMapping");
        }
        if (rest.isEmpty()) {
            return list(query.getValue("FunctionName"), query.getValue("EventSourceArn"));
        }
        Optional<EventSourceMapping> found = mappings.stream().filter(m -> m.uuid().equals(rest)).findFirst();
        if (found.isEmpty()) {
            return Reply.error(404, "ResourceNotFoundException", "The resource you requested does not exist. "
                    + "(Event source mapping " + rest + ")");
        }
        EventSourceMapping mapping = found.get();
        if (method.equals("GET")) {
            return new Reply(200, null, write(mapping.configuration()));
        }
        return update(mapping, body);
    }

    private Reply list(String functionName, String eventSourceArn) {
        List<Map<String, Object>> listed = mappings.stream()
                .filter(m -> functionName == null || names(m, functionName))
                .filter(m -> eventSourceArn == null || m.eventSourceArn().equals(eventSourceArn))
                .map(EventSourceMapping::configuration)
                .toList();
        return new Reply(200, null, write(Map.of("EventSourceMappings", listed)));
    }

    /**
     * Whether {@code given} names the mapping's function, as {@code FunctionName} may: its name, its ARN or
     * a partial ARN ({@code 000000000000:function:NAME}), each with or without a version or alias.
     */
    static boolean names(EventSourceMapping mapping, String given) {
        String arn = mapping.functionArn();
        String[] parts = given.split(":");
        String name = given.startsWith("arn:") ? (parts.length > 6 ? parts[6] : "")
                : parts.length > 2 && parts[1].equals("function") ? parts[2] : parts[0];
        return name.equals(arn.substring(arn.lastIndexOf(':') + 1));
    }

    private Reply update(EventSourceMapping mapping, byte[] body) {
        JsonNode request;
        try {
            request = body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (JsonProcessingException e) {
            return Reply.error(400, "InvalidParameterValueException", "The body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            return Reply.error(400, "InvalidParameterValueException", "The body could not be read: " + e);
        }
        if (request == null || !request.isObject()) {
            return Reply.error(400, "InvalidParameterValueException", "The body must be a JSON object");
        }
        for (Iterator<String> fields = request.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!field.equals("Enabled") && !field.equals("FunctionName")) {
                return Reply.error(400, "InvalidParameterValueException", "Local mode changes only Enabled of an "
                        + "event source mapping, not " + field);
            }
        }
        JsonNode function = request.get("FunctionName");
        if (function != null && !(function.isTextual() && names(mapping, function.asText()))) {
            return Reply.error(400, "InvalidParameterValueException", "Local mode cannot point event source mapping "
                    + mapping.uuid() + " at another function");
        }
        JsonNode enabled = request.get("Enabled");
        if (enabled != null) {
            if (!enabled.isBoolean()) {
                return Reply.error(400, "InvalidParameterValueException", "Enabled must be true or false");
            }
            mapping.setEnabled(enabled.booleanValue());
            LOG.info("UpdateEventSourceMapping {}: Enabled={}", mapping.uuid(), enabled.booleanValue());
        }
        // Lambda answers an update with 202 and the mapping as it now is.
        return new Reply(202, null, write(mapping.configuration()));
    }

    private static Optional<Reply> refusal(SigV4Check.Verdict verdict) {
        return switch (verdict) {
            case VALID -> Optional.empty();
            case MISMATCH -> Optional.of(Reply.error(403, "InvalidSignatureException", "The request signature we "
                    + "calculated does not match the signature you provided. Sign with the local credentials."));
            case EXPIRED -> Optional.of(Reply.error(403, "InvalidSignatureException", "Signature expired: X-Amz-Date "
                    + "is missing or more than " + SigV4Check.MAX_SKEW.toMinutes() + " minutes from the server's time"));
            case MISSING -> Optional.of(Reply.error(403, "MissingAuthenticationTokenException",
                    "Missing Authentication Token: sign the request (SigV4) with the local credentials"));
            case UNKNOWN_KEY -> Optional.of(Reply.error(403, "UnrecognizedClientException",
                    "The security token included in the request is invalid: sign with the local credentials"));
        };
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean error(Response response, Callback callback, int status, String type, String message) {
        return Reply.error(status, type, message).write(response, callback);
    }

    /** One answer: its status, Lambda's error type header when it is an error, and its JSON body. */
    private record Reply(int status, String errorType, String body) {

        static Reply error(int status, String type, String message) {
            return new Reply(status, type, "{\"Type\":\"User\",\"message\":" + quote(message) + "}");
        }

        private static String quote(String text) {
            try {
                return new ObjectMapper().writeValueAsString(text);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean write(Response response, Callback callback) {
            if (errorType != null) {
                response.getHeaders().put("x-amzn-ErrorType", errorType);
            }
            return HttpIo.json(response, callback, status, body);
        }
    }
}
