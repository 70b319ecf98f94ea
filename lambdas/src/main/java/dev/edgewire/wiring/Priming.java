package dev.edgewire.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.contract.Tokens;
import dev.edgewire.broadcast.Envelope;
import dev.edgewire.broadcast.Frames;
import dev.edgewire.message.SendMessageParser;
import dev.edgewire.message.SubscribeParser;
import dev.edgewire.contract.Metrics;
import dev.edgewire.runtime.FunctionMetrics;
import dev.edgewire.runtime.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PostToConnectionRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * SnapStart priming: before Lambda snapshots an initialised function, run the code paths every
 * invocation takes (JSON in and out, body parsing, token checks, SDK request building) so the
 * classes are loaded and warm in the snapshot. Nothing here calls AWS or touches data.
 *
 * <p>The metrics path is primed too, writing its documents nowhere: a document from priming would
 * reach CloudWatch as a real figure (a reading in, an allowed token), counted once per snapshot.
 */
public final class Priming {

    private static final Logger LOG = LoggerFactory.getLogger(Priming.class);
    private static final int ROUNDS = 50;

    private Priming() {
    }

    /** Registers a handler for the checkpoint; the runtime keeps only a weak reference, the handler lives on. */
    public static void register(Resource handler) {
        Core.getGlobalContext().register(handler);
    }

    public static void primeCommonPaths() {
        long started = System.nanoTime();
        SendMessageParser parser = new SendMessageParser();
        SubscribeParser subscriptions = new SubscribeParser();
        FunctionMetrics metrics = FunctionMetrics.quiet(Metrics.NAMESPACE, "priming", document -> { });
        byte[] throwawayKey = "priming-key-not-a-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < ROUNDS; i++) {
            var parsed = parser.parse("{\"action\":\"sendMessage\",\"message\":{\"n\":" + i + ",\"text\":\"hi\"},\"deviceId\":\"thing-1\"}");
            parser.parse("not json " + i);
            subscriptions.parse("{\"action\":\"subscribe\",\"devices\":[\"thing-1\",\"thing-" + i + "\"]}");
            Json.write(new Envelope.Subscribed(List.of("thing-1")));
            JsonNode message = parsed instanceof SendMessageParser.SendMessage m ? m.message() : null;
            Json.write(new Envelope.Message("priming-" + i, "priming", message, i));
            String reading = Json.write(new Envelope.Telemetry("priming-" + i, "thing-1", "devices/thing-1/telemetry", 1L,
                    Json.MAPPER.valueToTree(Map.of("seq", i, "temperature", 22.4))));
            Frames.pack(List.of(reading, reading));
            Json.write(Envelope.Error.badRequest("priming"));
            String token = Tokens.mint(throwawayKey, "priming", Tokens.Grant.ALL, Duration.ofMinutes(1), Clock.systemUTC());
            Tokens.verify(throwawayKey, token, Clock.systemUTC());
            PutItemRequest.builder().tableName("priming").item(Map.of("connectionId", AttributeValue.fromS("p"))).build();
            ScanRequest.builder().tableName("priming").projectionExpression("#id").build();
            PostToConnectionRequest.builder().connectionId("p").data(SdkBytes.fromUtf8String("{}")).build();
            PublishRequest.builder().topic("priming").qos(1).payload(SdkBytes.fromUtf8String("{}")).build();
            SendMessageRequest.builder().queueUrl("priming").messageBody("{}").messageAttributes(Map.of("kind",
                    MessageAttributeValue.builder().dataType("String").stringValue("message").build())).build();
            ReceiveMessageRequest.builder().queueUrl("priming").maxNumberOfMessages(10).waitTimeSeconds(0).build();
            metrics.start().count(Metrics.READINGS_IN, i).count(Metrics.FRAMES_DELIVERED, 1)
                    .maximum(Metrics.FAN_OUT_LAG, i, MetricUnit.MILLISECONDS).flush();
        }
        LOG.info("primed in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
    }
}
