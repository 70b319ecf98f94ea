package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgewire.commands.DevicePublisher;
import dev.edgewire.message.SendMessageParser.Rejected;
import dev.edgewire.message.SendMessageParser.SendMessage;
import dev.edgewire.runtime.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;

/** No input makes the parser throw: every body is either a request or a rejection with a reason. */
class SendMessageParserPropertyTest {

    private final SendMessageParser parser = new SendMessageParser();

    @Property(tries = 2000)
    void anyText_isParsedOrRejected_neverThrown(@ForAll String body) {
        assertOutcome(parser.parse(body));
    }

    @Property(tries = 2000)
    void jsonLikeText_isParsedOrRejected_neverThrown(@ForAll("jsonLike") String body) {
        assertOutcome(parser.parse(body));
    }

    @Property(tries = 1000)
    void anyMessageValue_withAnyDeviceId_isParsedOrRejected_andAcceptedOnlyWithAThingName(
            @ForAll("jsonValues") JsonNode message, @ForAll("deviceIds") JsonNode deviceId) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("action", "sendMessage");
        body.set("message", message);
        body.set("deviceId", deviceId);

        var result = parser.parse(Json.write(body));

        assertOutcome(result);
        if (result instanceof SendMessage m) {
            assertThat(m.message()).isEqualTo(message);
            m.deviceId().ifPresent(id -> assertThat(id).matches(DevicePublisher.THING_NAME));
        } else {
            assertThat(message.isNull() || !(deviceId.isNull() || deviceId.isTextual()
                    && DevicePublisher.THING_NAME.matcher(deviceId.textValue()).matches())).isTrue();
        }
    }

    private static void assertOutcome(SendMessageParser.Result result) {
        assertThat(result).isNotNull();
        if (result instanceof Rejected r) {
            assertThat(r.detail()).isNotBlank();
        } else {
            assertThat(((SendMessage) result).message()).isNotNull();
        }
    }

    @Provide
    Arbitrary<String> jsonLike() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\\", "\"message\"", "\"action\"",
                "\"deviceId\"", "\"sendMessage\"", "null", "true", "1e999", "-0", "1.5", "\"thing-1\"", " ", "\u0000", "\ud800");
        return tokens.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<JsonNode> jsonValues() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Arbitrary<JsonNode> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(50).map(f::textNode),
                Arbitraries.integers().map(f::numberNode),
                Arbitraries.bigDecimals().map(f::numberNode),
                Arbitraries.of(true, false).map(f::booleanNode),
                Arbitraries.just(f.nullNode()));
        Arbitrary<JsonNode> arrays = scalars.list().ofMaxSize(5).map(items -> {
            var array = f.arrayNode();
            items.forEach(array::add);
            return array;
        });
        Arbitrary<JsonNode> objects = Combinators.combine(Arbitraries.strings().ofMaxLength(10), scalars)
                .as((k, v) -> f.objectNode().set(k, v));
        return Arbitraries.oneOf(scalars, arrays, objects);
    }

    @Provide
    Arbitrary<JsonNode> deviceIds() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcXYZ019:_-").ofMinLength(1).ofMaxLength(128).map(f::textNode),
                Arbitraries.strings().ofMaxLength(140).map(f::textNode),
                Arbitraries.integers().map(f::numberNode),
                Arbitraries.just(f.nullNode()),
                Arbitraries.just((JsonNode) f.arrayNode().add("thing-1")));
    }
}
