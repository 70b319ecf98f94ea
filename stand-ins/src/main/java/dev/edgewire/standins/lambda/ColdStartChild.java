package dev.edgewire.standins.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Tokens;
import dev.edgewire.contract.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;

/**
 * One cold start, in the JVM {@link LambdaJvm} launches (for the functions' {@code ShadedJarIT} and the
 * benchmark suite's cold-start benchmark): builds one handler through its no-argument constructor (as
 * Lambda does), has it serve one event, and prints the times. Its class path is the shaded Lambda jar,
 * which brings the handlers, the contract and Jackson, then these stand-ins and the runtime's serializer.
 */
public final class ColdStartChild {

    public static final String RESULT = "RESULT ";
    public static final String RESPONSE = "RESPONSE ";
    /** The token key the parent serves as the Secrets Manager secret. */
    public static final String TOKEN_KEY = "bench-token-key-0123456789abcdefghij";

    public static void main(String[] args) throws Exception {
        String target = args[0];
        // The runtime deserialises the event with its own, already loaded serializer; keep that out of the times.
        Object event = event(target);
        long started = System.nanoTime();
        Object handler = target.equals("HELLO")
                ? new HelloHandler()
                : Class.forName(Topology.Function.valueOf(target).handlerClass()).getConstructor().newInstance();
        long constructed = System.nanoTime();
        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> typed = (RequestHandler<Object, Object>) handler;
        Object response = typed.handleRequest(event, new LambdaContext());
        long served = System.nanoTime();
        System.out.println(RESULT + ms(constructed - started) + " " + ms(served - constructed));
        System.out.println(RESPONSE + new ObjectMapper().writeValueAsString(response));
        System.exit(0);
    }

    private static Object event(String target) {
        return switch (target) {
            case "HELLO" -> Events.ruleOutput("telemetry-rule-output.json");
            case "FAN_OUT" -> Events.readings(Events.ruleOutput("telemetry-rule-output.json"));
            case "CONNECT" -> Events.load("connect.json", APIGatewayV2WebSocketEvent.class);
            case "DISCONNECT" -> Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class);
            case "SEND_MESSAGE" -> Events.load("send-message.json", APIGatewayV2WebSocketEvent.class);
            case "DEFAULT" -> Events.load("default-route.json", APIGatewayV2WebSocketEvent.class);
            case "AUTHORIZER" -> {
                var event = Events.load("authorizer-connect.json", APIGatewayCustomAuthorizerEvent.class);
                var query = new HashMap<>(event.getQueryStringParameters());
                query.put(Topology.TOKEN_QUERY_PARAMETER, Tokens.mint(TOKEN_KEY.getBytes(StandardCharsets.UTF_8),
                        "bench", Tokens.Grant.ALL, Duration.ofMinutes(5), Clock.systemUTC()));
                event.setQueryStringParameters(query);
                yield event;
            }
            default -> throw new IllegalArgumentException(target);
        };
    }

    private static String ms(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }
}
