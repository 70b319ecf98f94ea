package dev.edgewire.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.contract.Topology.ConnectionTable;
import dev.edgewire.message.SubscribeParser.Rejected;
import dev.edgewire.message.SubscribeParser.Subscribe;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SubscribeParserTest {

    private final SubscribeParser parser = new SubscribeParser();

    @Test
    void aListOfThings_isThatChoice_inOrder_withoutRepeats() {
        assertThat(parser.parse("{\"action\":\"subscribe\",\"devices\":[\"thing-2\",\"thing-1\",\"thing-2\"]}"))
                .isEqualTo(new Subscribe(new java.util.LinkedHashSet<>(java.util.List.of("thing-2", "thing-1"))));
    }

    @Test
    void allOrNoDevices_isEveryDevice_andAnEmptyListIsNone() {
        assertThat(parser.parse("{\"action\":\"subscribe\",\"devices\":\"all\"}")).isEqualTo(new Subscribe(null));
        assertThat(parser.parse("{\"action\":\"subscribe\"}")).isEqualTo(new Subscribe(null));
        assertThat(parser.parse("{\"action\":\"subscribe\",\"devices\":null}")).isEqualTo(new Subscribe(null));
        assertThat(((Subscribe) parser.parse("{\"action\":\"subscribe\",\"devices\":[]}")).devices()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON                |hello                                                  |not valid JSON",
            "an array body           |[\"thing-1\"]                                          |must be a JSON object",
            "devices a string        |{\"action\":\"subscribe\",\"devices\":\"thing-1\"}     |must be a list of thing names, or \"all\"",
            "devices an object       |{\"action\":\"subscribe\",\"devices\":{\"a\":1}}       |must be a list of thing names",
            "a number in the list    |{\"action\":\"subscribe\",\"devices\":[\"thing-1\",7]} |Each of \"devices\" must be a thing name",
            "a wildcard in the list  |{\"action\":\"subscribe\",\"devices\":[\"+\"]}        |Each of \"devices\" must be a thing name",
            "a topic in the list     |{\"action\":\"subscribe\",\"devices\":[\"devices/x\"]}|Each of \"devices\" must be a thing name",
            "an empty name           |{\"action\":\"subscribe\",\"devices\":[\"\"]}         |Each of \"devices\" must be a thing name"})
    void badBodies_areRejected_withWhatToSend(String what, String body, String detail) {
        assertThat(parser.parse(body)).isInstanceOfSatisfying(Rejected.class,
                r -> assertThat(r.detail()).contains(detail.strip()));
    }

    @Test
    void moreDevicesThanTheLimit_areRejected_andTheLimitItselfIsAccepted() {
        int limit = ConnectionTable.MAX_SUBSCRIBED_DEVICES;
        assertThat(parser.parse(body(limit))).isInstanceOf(Subscribe.class);
        assertThat(parser.parse(body(limit + 1))).isInstanceOfSatisfying(Rejected.class,
                r -> assertThat(r.detail()).contains("the limit is " + limit));
    }

    private static String body(int devices) {
        return IntStream.rangeClosed(1, devices).mapToObj(i -> "\"thing-" + i + "\"")
                .collect(Collectors.joining(",", "{\"action\":\"subscribe\",\"devices\":[", "]}"));
    }
}
