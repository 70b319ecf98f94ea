package dev.edgewire.standins.lambda;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Events as AWS sends them to the functions (API Gateway's WebSocket and authorizer events, IoT rule
 * outputs), from the JSON files under {@code events/} beside this class, read by the serializers the
 * Lambda Java runtime itself uses, so a handler sees exactly what it would see on Lambda. The
 * serializer ({@code aws-lambda-java-serialization}) is an optional dependency: whoever reads events
 * declares it.
 */
public final class Events {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /**
     * The event Lambda's SQS event source mapping sends for these rule outputs, each the body of one
     * message, in the shape of the Lambda Developer Guide's example ("Using Lambda with Amazon SQS").
     */
    @SafeVarargs
    public static Map<String, Object> readings(Map<String, Object>... ruleOutputs) {
        List<String> bodies = new ArrayList<>();
        for (Map<String, Object> output : ruleOutputs) {
            try {
                bodies.add(JSON.writeValueAsString(output));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return messages(bodies);
    }

    /** The SQS event for messages with these bodies, as they are. */
    public static Map<String, Object> messages(List<String> bodies) {
        List<Object> records = new ArrayList<>();
        for (String body : bodies) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("messageId", UUID.randomUUID().toString());
            record.put("receiptHandle", "AQEB" + UUID.randomUUID());
            record.put("body", body);
            record.put("attributes", Map.of("ApproximateReceiveCount", "1", "SentTimestamp", "1795986000123",
                    "SenderId", "AROAEXAMPLE:iot", "ApproximateFirstReceiveTimestamp", "1795986000150"));
            record.put("messageAttributes", Map.of());
            record.put("md5OfBody", "e4e68fb7bd0e697a0ae8f1bb342846b3");
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", "arn:aws:sqs:eu-west-1:123456789012:edgewire-Readings");
            record.put("awsRegion", "eu-west-1");
            records.add(record);
        }
        return Map.of("Records", records);
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
