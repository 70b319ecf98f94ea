package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.message.SendMessageParser.Rejected;
import dev.edgewire.message.SendMessageParser.SendMessage;
import dev.edgewire.runtime.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SendMessageParserTest {

    private final SendMessageParser parser = new SendMessageParser();

    @Test
    void whatWscatSends_isAMessageToEveryDevice() {
        var result = parser.parse("{\"action\":\"sendMessage\",\"message\":\"hello from terminal2\"}");

        assertThat(result).isInstanceOfSatisfying(SendMessage.class, m -> {
            assertThat(m.message().textValue()).isEqualTo("hello from terminal2");
            assertThat(m.deviceId()).isEmpty();
        });
    }

    @Test
    void anyJsonValue_isAMessage_andNumbersKeepTheirExactValue() throws Exception {
        var result = parser.parse("{\"action\":\"sendMessage\",\"message\":{\"setpoint\":21.10,\"on\":true,\"list\":[1,2]}}");

        assertThat(result).isInstanceOfSatisfying(SendMessage.class, m ->
                assertThat(Json.write(m.message())).isEqualTo("{\"setpoint\":21.10,\"on\":true,\"list\":[1,2]}"));
    }

    @Test
    void aBodyOfExactlyTheLimit_isAccepted_andOneByteMore_isNot() {
        String prefix = "{\"action\":\"sendMessage\",\"message\":\"";
        String suffix = "\"}";
        int fill = SendMessageParser.MAX_BODY_BYTES - prefix.length() - suffix.length();

        assertThat(parser.parse(prefix + "x".repeat(fill) + suffix)).isInstanceOf(SendMessage.class);
        assertThat(parser.parse(prefix + "x".repeat(fill + 1) + suffix)).isInstanceOf(Rejected.class);
    }

    @Test
    void theLimitCountsUtf8Bytes_notCharacters() {
        String euro = "\u20ac"; // three bytes in UTF-8
        String body = "{\"action\":\"sendMessage\",\"message\":\"" + euro.repeat(50_000) + "\"}";

        assertThat(body.length()).isLessThan(SendMessageParser.MAX_BODY_BYTES);
        assertThat(parser.parse(body)).isInstanceOf(Rejected.class);
        assertThat(dev.edgewire.runtime.Utf8.length(body)).isEqualTo((long) body.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void deeplyNestedJson_isRejected_notThrown() {
        String body = "[".repeat(100_000);

        assertThat(parser.parse(body)).isInstanceOf(Rejected.class);
    }

    @Test
    void aValidThingName_isTheTarget() {
        var result = parser.parse("{\"action\":\"sendMessage\",\"message\":1,\"deviceId\":\"Thing_1:a-b\"}");

        assertThat(result).isInstanceOfSatisfying(SendMessage.class, m -> assertThat(m.deviceId()).contains("Thing_1:a-b"));
    }
}
