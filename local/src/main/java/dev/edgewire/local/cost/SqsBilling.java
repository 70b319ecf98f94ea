package dev.edgewire.local.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Amazon SQS bills for one API call, read from the call as it went over the wire: every action is
 * at least one request, and each 64 KB chunk of the payload one more ({@link BillingUnits#sqsRequests}).
 * The payload is the messages the call carries, bodies and message attributes (name, data type and
 * value), which is what SQS counts as a message's size: sent messages for {@code SendMessage} and
 * {@code SendMessageBatch} (one call for the whole batch), received ones for {@code ReceiveMessage}.
 * Other actions carry no messages and are one request each.
 *
 * <p>Both of SQS's protocols are read: the JSON protocol the current SDKs and CLI speak
 * ({@code X-Amz-Target: AmazonSQS.<Action>}), and the query protocol of older clients ({@code Action=}
 * in the form or the query string; of an XML answer only the message bodies are counted).
 *
 * <p>Local mode's topic-rule SQS action sends its readings in {@code SendMessageBatch} calls of up to
 * ten, for throughput; AWS IoT's SQS action sends each rule output with its own {@code SendMessage}. The
 * action marks its calls with {@link #BILLED_AS_HEADER}, and each entry of such a call is billed as the
 * {@code SendMessage} AWS IoT would have made.
 */
public final class SqsBilling {

    /** Request header saying whose calls these are, when they are billed otherwise than as sent. */
    public static final String BILLED_AS_HEADER = "x-edgewire-billed-as";
    /** {@link #BILLED_AS_HEADER} of the topic rules' SQS action: one {@code SendMessage} per entry. */
    public static final String IOT_RULE_ACTION = "iot-rule-action";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TARGET_PREFIX = "AmazonSQS.";
    private static final Pattern XML_BODY = Pattern.compile("<Body>([^<]*)</Body>");
    private static final Pattern ENTRY_BODY = Pattern.compile("^SendMessageBatchRequestEntry\\.(\\d+)\\.MessageBody$");
    private static final Pattern ENTRY_ATTRIBUTE = Pattern.compile(
            "^SendMessageBatchRequestEntry\\.(\\d+)\\.MessageAttribute\\.\\d+\\.(Name|Value\\.DataType|Value\\.StringValue|Value\\.BinaryValue)$");
    private static final Pattern ATTRIBUTE = Pattern.compile(
            "^MessageAttribute\\.\\d+\\.(Name|Value\\.DataType|Value\\.StringValue|Value\\.BinaryValue)$");

    /**
     * The billed requests of one call.
     *
     * @param action       the action it is billed as
     * @param requests     billed requests, at least one
     * @param emptyReceive a {@code ReceiveMessage} that returned no message
     */
    public record Bill(String action, long requests, boolean emptyReceive) {
    }

    /**
     * One call as it went over the wire.
     *
     * @param target       the {@code X-Amz-Target} header, or null
     * @param contentType  the request's {@code Content-Type}, or null
     * @param query        the raw query string, or null
     * @param body         the request body
     * @param responseBody the answer's body
     * @param billedAs     the {@link #BILLED_AS_HEADER} value, or null
     */
    public record Call(String target, String contentType, String query, byte[] body, byte[] responseBody,
                       String billedAs) {
    }

    private SqsBilling() {
    }

    public static Bill bill(Call call) {
        boolean json = call.target() != null && call.target().startsWith(JSON_TARGET_PREFIX);
        Map<String, String> form = json ? Map.of() : form(call);
        String action = json ? call.target().substring(JSON_TARGET_PREFIX.length()) : form.getOrDefault("Action", "Unknown");
        try {
            return switch (action) {
                case "SendMessage" -> new Bill(action, BillingUnits.sqsRequests(json
                        ? messageBytes(JSON.readTree(call.body())) : formMessageBytes(form)), false);
                case "SendMessageBatch" -> sendBatch(call, json, form);
                case "ReceiveMessage" -> receive(call, json);
                default -> new Bill(action, 1, false);
            };
        } catch (IOException unreadable) {
            // ElasticMQ will have refused what cannot be read; SQS bills a refused call as one request.
            return new Bill(action, 1, false);
        }
    }

    private static Bill sendBatch(Call call, boolean json, Map<String, String> form) throws IOException {
        Map<String, Long> entries = new LinkedHashMap<>();
        if (json) {
            int i = 0;
            for (JsonNode entry : JSON.readTree(call.body()).path("Entries")) {
                entries.put(Integer.toString(i++), messageBytes(entry));
            }
        } else {
            form.forEach((name, value) -> {
                Matcher body = ENTRY_BODY.matcher(name);
                Matcher attribute = ENTRY_ATTRIBUTE.matcher(name);
                if (body.matches()) {
                    entries.merge(body.group(1), (long) utf8(value), Long::sum);
                } else if (attribute.matches()) {
                    entries.merge(attribute.group(1), attributeBytes(attribute.group(2), value), Long::sum);
                }
            });
        }
        if (IOT_RULE_ACTION.equals(call.billedAs())) {
            long requests = 0;
            for (long bytes : entries.values()) {
                requests += BillingUnits.sqsRequests(bytes);
            }
            return new Bill("SendMessage", Math.max(1, requests), false);
        }
        long total = entries.values().stream().mapToLong(Long::longValue).sum();
        return new Bill("SendMessageBatch", BillingUnits.sqsRequests(total), false);
    }

    private static Bill receive(Call call, boolean json) throws IOException {
        long bytes = 0;
        int messages = 0;
        if (json) {
            for (JsonNode message : JSON.readTree(call.responseBody()).path("Messages")) {
                messages++;
                bytes += utf8(message.path("Body").asText("")) + attributesBytes(message.path("MessageAttributes"));
            }
        } else {
            Matcher body = XML_BODY.matcher(new String(call.responseBody(), StandardCharsets.UTF_8));
            while (body.find()) {
                messages++;
                bytes += utf8(unescapeXml(body.group(1)));
            }
        }
        return new Bill("ReceiveMessage", BillingUnits.sqsRequests(bytes), messages == 0);
    }

    /** A message's body and attributes, as SendMessage or a batch entry carries them in JSON. */
    private static long messageBytes(JsonNode message) {
        return utf8(message.path("MessageBody").asText("")) + attributesBytes(message.path("MessageAttributes"))
                + attributesBytes(message.path("MessageSystemAttributes"));
    }

    /** {@code {"name":{"DataType":"String","StringValue":"..."}}}: name, data type and value. */
    private static long attributesBytes(JsonNode attributes) {
        long bytes = 0;
        for (Map.Entry<String, JsonNode> attribute : attributes.properties()) {
            JsonNode value = attribute.getValue();
            bytes += utf8(attribute.getKey()) + utf8(value.path("DataType").asText(""))
                    + utf8(value.path("StringValue").asText(""));
            if (value.hasNonNull("BinaryValue")) {
                bytes += Base64.getDecoder().decode(value.get("BinaryValue").asText()).length;
            }
        }
        return bytes;
    }

    private static long formMessageBytes(Map<String, String> form) {
        long bytes = utf8(form.getOrDefault("MessageBody", ""));
        for (Map.Entry<String, String> e : form.entrySet()) {
            Matcher attribute = ATTRIBUTE.matcher(e.getKey());
            if (attribute.matches()) {
                bytes += attributeBytes(attribute.group(1), e.getValue());
            }
        }
        return bytes;
    }

    private static long attributeBytes(String part, String value) {
        return part.equals("Value.BinaryValue") ? Base64.getDecoder().decode(value).length : utf8(value);
    }

    /** The query protocol's parameters: the query string and, for a form, the body. */
    private static Map<String, String> form(Call call) {
        Map<String, String> params = new LinkedHashMap<>();
        parse(call.query(), params);
        if (call.contentType() != null
                && call.contentType().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            parse(new String(call.body(), StandardCharsets.UTF_8), params);
        }
        return params;
    }

    private static void parse(String encoded, Map<String, String> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.put(name, value);
        }
    }

    private static String unescapeXml(String text) {
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&#13;", "\r").replace("&amp;", "&");
    }

    private static int utf8(String text) {
        return BillingUnits.utf8Length(text);
    }
}
