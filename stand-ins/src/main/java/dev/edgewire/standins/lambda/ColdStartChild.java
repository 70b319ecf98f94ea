package dev.edgewire.standins.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.contract.Tokens;
import dev.edgewire.contract.Topology;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;

/**
 * One cold start, in the JVM {@link LambdaJvm} launches (for the functions' {@code ShadedJarIT} and the
 * benchmark suite's cold-start benchmark): builds one handler through its no-argument constructor (as
 * Lambda does), has it serve one event, and prints the times and the classes loaded after each. Its
 * class path is the shaded Lambda jar, which brings the handlers, the contract and Jackson, then these
 * stand-ins and the runtime's serializer.
 *
 * <p>With {@code restore N PAUSE} after the target it goes the way of a SnapStart function instead: after
 * construction it runs the registered CRaC resources' hooks through the runtime client's global
 * context, {@code beforeCheckpoint} (the functions' priming) and then {@code afterRestore}, as the
 * runtime client does around a snapshot, and then serves the event once and N more times, warm, with
 * PAUSE milliseconds before each, outside the times (the fan-out paces its deliveries); each warm
 * answer must be the first one's. The first invocation's Lambda context is built before its clock
 * starts, as the runtime builds its own before it calls the handler. It
 * prints the times and the classes loaded at each step. There is no snapshot in between: what a
 * real restore adds (pages read back in, re-seeding) is not in these times.
 */
public final class ColdStartChild {

    public static final String RESULT = "RESULT ";
    public static final String RESPONSE = "RESPONSE ";
    public static final String RESTORED = "RESTORED ";
    /** The second argument that selects the SnapStart-like run. */
    public static final String RESTORE = "restore";
    /** The token key the parent serves as the Secrets Manager secret. */
    public static final String TOKEN_KEY = "bench-token-key-0123456789abcdefghij";

    public static void main(String[] args) throws Exception {
        String target = args[0];
        // The runtime deserialises the event with its own, already loaded serializer; keep that out of the times.
        Object event = event(target);
        if (args.length > 3 && args[1].equals(RESTORE)) {
            restored(target, event, Integer.parseInt(args[2]), Long.parseLong(args[3]));
            return;
        }
        // Fetched before the clock starts, so its own classes count before construction.
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        long atStart = classes.getTotalLoadedClassCount();
        long started = System.nanoTime();
        Object handler = target.equals("HELLO")
                ? new HelloHandler()
                : Class.forName(Topology.Function.valueOf(target).handlerClass()).getConstructor().newInstance();
        long constructed = System.nanoTime();
        long afterConstruct = classes.getTotalLoadedClassCount();
        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> typed = (RequestHandler<Object, Object>) handler;
        Object response = typed.handleRequest(event, new LambdaContext());
        long served = System.nanoTime();
        long afterFirst = classes.getTotalLoadedClassCount();
        System.out.println(RESULT + ms(constructed - started) + " " + ms(served - constructed) + " "
                + (afterConstruct - atStart) + " " + (afterFirst - atStart));
        System.out.println(RESPONSE + new ObjectMapper().writeValueAsString(response));
        System.exit(0);
    }

    /**
     * Construct, CRaC hooks, first invocation, then {@code warm} more. The class-loading bean is
     * fetched before the clock starts, so its own classes count before construction.
     */
    private static void restored(String target, Object event, int warm, long pauseMs) throws Exception {
        // The runtime client loads its JNI library when it starts, before any init; its CRaC context needs it.
        com.amazonaws.services.lambda.runtime.api.client.runtimeapi.JniHelper.load();
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        long atStart = classes.getTotalLoadedClassCount();
        long started = System.nanoTime();
        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> handler = (RequestHandler<Object, Object>)
                Class.forName(Topology.Function.valueOf(target).handlerClass()).getConstructor().newInstance();
        long constructed = System.nanoTime();
        long afterConstruct = classes.getTotalLoadedClassCount();
        // What the runtime client does in snap-start mode (AWSLambda.onInitComplete): every resource
        // registered with its context, which org.crac hands registrations to under
        // -Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac, as on Lambda.
        com.amazonaws.services.lambda.crac.Core.getGlobalContext().beforeCheckpoint(null);
        long checkpointed = System.nanoTime();
        com.amazonaws.services.lambda.crac.Core.getGlobalContext().afterRestore(null);
        long restored = System.nanoTime();
        // The runtime builds the invocation's context before it calls the handler, from classes of its own
        // loaded long before; this stand-in's class is loaded here, outside the first invocation's time and classes.
        LambdaContext firstContext = new LambdaContext();
        long afterHooks = classes.getTotalLoadedClassCount();
        long invoked = System.nanoTime();
        Object response = handler.handleRequest(event, firstContext);
        long served = System.nanoTime();
        long afterFirst = classes.getTotalLoadedClassCount();
        ObjectMapper json = new ObjectMapper();
        String firstAnswer = json.writeValueAsString(response);
        double[] warmMs = new double[warm];
        for (int i = 0; i < warm; i++) {
            Thread.sleep(pauseMs);
            long before = System.nanoTime();
            Object again = handler.handleRequest(event, new LambdaContext());
            warmMs[i] = (System.nanoTime() - before) / 1e6;
            // A warm invocation that took another path (a refusal, an error) is no baseline for the first.
            String answer = json.writeValueAsString(again);
            if (!answer.equals(firstAnswer)) {
                throw new IllegalStateException("warm invocation " + (i + 1) + " answered " + answer + ", the first " + firstAnswer);
            }
        }
        long afterWarm = classes.getTotalLoadedClassCount();
        Arrays.sort(warmMs);
        double median = warm == 0 ? Double.NaN
                : warm % 2 == 1 ? warmMs[warm / 2] : (warmMs[warm / 2 - 1] + warmMs[warm / 2]) / 2;
        System.out.println(RESTORED + String.join(" ", ms(constructed - started), ms(checkpointed - constructed),
                ms(restored - checkpointed), ms(served - invoked), String.format("%.2f", median),
                Long.toString(atStart), Long.toString(afterConstruct), Long.toString(afterHooks),
                Long.toString(afterFirst), Long.toString(afterWarm)));
        System.out.println(RESPONSE + firstAnswer);
        System.exit(0);
    }

    private static Object event(String target) {
        return switch (target) {
            case "HELLO" -> Events.ruleOutput("telemetry-rule-output.json");
            case "FAN_OUT" -> Events.readings(Events.ruleOutput("telemetry-rule-output.json"));
            case "CONNECT" -> Events.load("connect.json", APIGatewayV2WebSocketEvent.class);
            case "DISCONNECT" -> Events.load("disconnect.json", APIGatewayV2WebSocketEvent.class);
            case "SEND_MESSAGE" -> Events.load("send-message.json", APIGatewayV2WebSocketEvent.class);
            case "SUBSCRIBE" -> Events.load("subscribe.json", APIGatewayV2WebSocketEvent.class);
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
