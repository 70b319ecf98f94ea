package dev.edgewire.local.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BillingUnitsTest {

    @ParameterizedTest(name = "{0} bytes -> {1} WebSocket messages")
    @CsvSource({"0, 1", "1, 1", "32767, 1", "32768, 1", "32769, 2", "33792, 2", "65536, 2", "65537, 3", "131072, 4"})
    void webSocketMessages_areMeteredIn32KbIncrements_aMessageIsAtLeastOne(long bytes, long messages) {
        assertThat(BillingUnits.webSocketMessages(bytes)).isEqualTo(messages);
    }

    @ParameterizedTest(name = "{0} bytes -> {1} IoT messages")
    @CsvSource({"0, 1", "200, 1", "5120, 1", "5121, 2", "8192, 2", "10240, 2", "10241, 3", "131072, 26"})
    void iotMessages_areMeteredIn5KbIncrements_anEightKbMessageIsTwo(long bytes, long messages) {
        assertThat(BillingUnits.iotMessages(bytes)).isEqualTo(messages);
    }

    @ParameterizedTest(name = "{0} payload bytes -> {1} SQS requests")
    @CsvSource({"0, 1", "2000, 1", "65536, 1", "65537, 2", "262144, 4", "262145, 5", "1048576, 16"})
    void sqsRequests_eachStarted64KbChunkOfPayloadIsOneRequest(long bytes, long requests) {
        assertThat(BillingUnits.sqsRequests(bytes)).isEqualTo(requests);
    }

    @ParameterizedTest(name = "{0} ns -> {1} ms billed")
    @CsvSource({"1, 1", "999999, 1", "1000000, 1", "1000001, 2", "27550000, 28", "27400000, 28", "30000000000, 30000"})
    void lambdaDuration_isRoundedUpToTheMillisecond_withNoOtherMinimum(long nanos, long millis) {
        assertThat(BillingUnits.lambdaBilledMillis(nanos)).isEqualTo(millis);
    }

    @ParameterizedTest(name = "{0} ms connected -> {1} minutes")
    @CsvSource({"0, 1", "1, 1", "60000, 1", "60001, 2", "3600000, 60", "7200000, 120"})
    void connectionMinutes_roundEachConnectionUpToAWholeMinute(long millis, long minutes) {
        assertThat(BillingUnits.connectionMinutes(millis)).isEqualTo(minutes);
    }

    @Test
    void negativeSizesAndDurations_areRefused() {
        assertThatThrownBy(() -> BillingUnits.webSocketMessages(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BillingUnits.lambdaBilledMillis(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void utf8Length_isTheEncodedLength() {
        for (String text : new String[] {"", "plain", "température", "€", "😀 emoji", "mixed ñ € 😀"}) {
            assertThat(BillingUnits.utf8Length(text)).as(text)
                    .isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }
}
