package dev.edgewire.standins.lambda;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Events as AWS sends them to the functions (API Gateway's WebSocket and authorizer events, IoT rule
 * outputs), from the JSON files under {@code events/} beside this class, read by the serializers the
 * Lambda Java runtime itself uses, so a handler sees exactly what it would see on Lambda. The
 * serializer ({@code aws-lambda-java-serialization}) is an optional dependency: whoever reads events
 * declares it.
 */
public final class Events {

    private Events() {
    }

    public static <T> T load(String name, Class<T> type) {
        PojoSerializer<T> serializer = LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, Events.class.getClassLoader())
                : JacksonFactory.getInstance().getSerializer(type);
        try (InputStream in = open(name)) {
            return serializer.fromJson(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A rule output, deserialised as the runtime does for a {@code Map<String, Object>} input. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> ruleOutput(String name) {
        return load(name, Map.class);
    }

    public static String text(String name) {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = Events.class.getResourceAsStream("/events/" + name);
        if (in == null) {
            throw new IllegalArgumentException("no event " + name);
        }
        return in;
    }
}
