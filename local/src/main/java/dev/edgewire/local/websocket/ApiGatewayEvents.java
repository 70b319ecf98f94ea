package dev.edgewire.local.websocket;

import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The events API Gateway's WebSocket API sends its functions, shaped as on AWS: the {@code $connect}
 * REQUEST authorizer's event, and the {@code $connect}, message and {@code $disconnect} events with the
 * connection's request context; and the status API Gateway reads from a {@code $connect} integration's
 * response. Every event has a new request id.
 */
final class ApiGatewayEvents {

    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final String stage;
    private volatile String domainName = "127.0.0.1";

    ApiGatewayEvents(String stage) {
        this.stage = stage;
    }

    void domainName(String domainName) {
        this.domainName = domainName;
    }

    /** The ARN the authorizer's policy must allow: {@code $connect} of this stage. */
    String connectMethodArn() {
        return "arn:aws:execute-api:local:000000000000:local/" + stage + "/$connect";
    }

    APIGatewayCustomAuthorizerEvent authorizer(Map<String, String> headers, Map<String, String> query,
                                               String sourceIp) {
        var identity = new APIGatewayCustomAuthorizerEvent.Identity();
        identity.setSourceIp(sourceIp);
        var context = new APIGatewayCustomAuthorizerEvent.RequestContext();
        context.setStage(stage);
        context.setRequestId(UUID.randomUUID().toString());
        context.setApiId("local");
        context.setAccountId("000000000000");
        context.setIdentity(identity);
        var event = new APIGatewayCustomAuthorizerEvent();
        event.setType("REQUEST");
        event.setMethodArn(connectMethodArn());
        event.setHeaders(headers);
        event.setQueryStringParameters(query);
        event.setRequestContext(context);
        return event;
    }

    /** {@code $connect}, with the upgrade request's headers and query string. */
    APIGatewayV2WebSocketEvent connect(LocalConnection connection, Map<String, String> headers,
                                       Map<String, String> query) {
        APIGatewayV2WebSocketEvent event = event(connection, "$connect", "CONNECT");
        event.setHeaders(headers);
        event.setMultiValueHeaders(multiValue(headers));
        event.setQueryStringParameters(query.isEmpty() ? null : query);
        event.setMultiValueQueryStringParameters(query.isEmpty() ? null : multiValue(query));
        return event;
    }

    /** A message on {@code routeKey}; a binary frame's body is its base64. */
    APIGatewayV2WebSocketEvent message(LocalConnection connection, String routeKey, String messageId, String body,
                                       boolean base64) {
        APIGatewayV2WebSocketEvent event = event(connection, routeKey, "MESSAGE");
        event.getRequestContext().setMessageId(messageId);
        event.setBody(body);
        event.setIsBase64Encoded(base64);
        return event;
    }

    APIGatewayV2WebSocketEvent disconnect(LocalConnection connection) {
        return event(connection, "$disconnect", "DISCONNECT");
    }

    /** The status of an integration's response, as API Gateway reads it: 200 unless the response says otherwise. */
    static int status(Object result) {
        if (result instanceof APIGatewayV2WebSocketResponse response) {
            return response.getStatusCode() == 0 ? 200 : response.getStatusCode();
        }
        return 200;
    }

    private APIGatewayV2WebSocketEvent event(LocalConnection connection, String routeKey, String eventType) {
        Instant now = Instant.now();
        var identity = new APIGatewayV2WebSocketEvent.RequestIdentity();
        identity.setSourceIp(connection.sourceIp());
        identity.setUserAgent(connection.userAgent());
        var context = new APIGatewayV2WebSocketEvent.RequestContext();
        context.setRouteKey(routeKey);
        context.setEventType(eventType);
        context.setMessageDirection("IN");
        context.setConnectionId(connection.id());
        context.setConnectedAt(connection.connectedAt());
        context.setRequestId(UUID.randomUUID().toString());
        context.setExtendedRequestId(context.getRequestId());
        context.setRequestTime(REQUEST_TIME.format(now));
        context.setRequestTimeEpoch(now.toEpochMilli());
        context.setStage(stage);
        context.setDomainName(domainName);
        context.setApiId("local");
        context.setIdentity(identity);
        // The $connect authorizer's principalId and context, as text, on every event of the connection, as
        // API Gateway gives them ($context.authorizer.principalId and $context.authorizer.<key>: "WebSocket API
        // mapping template reference", https://docs.aws.amazon.com/apigateway/latest/developerguide/
        // apigateway-websocket-api-mapping-template-reference.html); sendMessage reads the token's grant there.
        if (!connection.authorizerContext().isEmpty()) {
            context.setAuthorizer(connection.authorizerContext());
        }
        var event = new APIGatewayV2WebSocketEvent();
        event.setRequestContext(context);
        event.setIsBase64Encoded(false);
        return event;
    }

    private static Map<String, List<String>> multiValue(Map<String, String> single) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        single.forEach((k, v) -> multi.put(k, List.of(v)));
        return multi;
    }
}
