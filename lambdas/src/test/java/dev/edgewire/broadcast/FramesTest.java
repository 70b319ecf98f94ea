package dev.edgewire.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgewire.runtime.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FramesTest {

    private static String reading(int seq, int padding) {
        return "{\"type\":\"telemetry\",\"deviceId\":\"thing-1\",\"reading\":{\"seq\":" + seq + ",\"pad\":\""
                + "x".repeat(padding) + "\"}}";
    }

    @Test
    void aLoneEnvelope_isSentAsItIs() {
        String one = reading(1, 10);

        assertThat(Frames.pack(List.of(one))).containsExactly(one);
    }

    @Test
    void severalSmallEnvelopes_shareOneBatchFrame_inOrder() throws Exception {
        List<String> envelopes = IntStream.range(0, 50).mapToObj(i -> reading(i, 20)).toList();

        List<String> frames = Frames.pack(envelopes);

        assertThat(frames).hasSize(1);
        JsonNode batch = Json.MAPPER.readTree(frames.getFirst());
        assertThat(batch.get("type").asText()).isEqualTo("batch");
        assertThat(batch.get("items")).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(batch.get("items").get(i)).isEqualTo(Json.MAPPER.readTree(envelopes.get(i)));
        }
    }

    @Test
    void framesStayWithinTheBillingUnit_andCarryEveryEnvelopeOnce() throws Exception {
        List<String> envelopes = IntStream.range(0, 400).mapToObj(i -> reading(i, 200 + i % 37)).toList();

        List<String> frames = Frames.pack(envelopes);

        List<Integer> seqs = new ArrayList<>();
        List<Integer> firstItem = new ArrayList<>();
        for (String frame : frames) {
            firstItem.add(seqs.size());
            assertThat(frame.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Frames.BILLING_UNIT_BYTES);
            JsonNode node = Json.MAPPER.readTree(frame);
            if (node.get("type").asText().equals("batch")) {
                node.get("items").forEach(item -> seqs.add(item.path("reading").path("seq").asInt()));
            } else {
                seqs.add(node.path("reading").path("seq").asInt());
            }
        }
        assertThat(seqs).isEqualTo(IntStream.range(0, 400).boxed().toList());
        // As few frames as the unit allows: no frame but the last could have taken the next envelope too.
        int wrapper = (Frames.BATCH_PREFIX + Frames.BATCH_SUFFIX).length();
        for (int i = 0; i + 1 < frames.size(); i++) {
            String frame = frames.get(i);
            int asBatch = Frames.bytes(frame) + (frame.startsWith(Frames.BATCH_PREFIX) ? 0 : wrapper);
            int next = Frames.bytes(envelopes.get(firstItem.get(i + 1)));
            assertThat(asBatch + 1 + next).as("frame %d could have taken the next envelope", i)
                    .isGreaterThan(Frames.BILLING_UNIT_BYTES);
        }
        assertThat(frames.size()).isGreaterThan(1);
    }

    @Test
    void anEnvelopeOverTheUnit_goesAlone_betweenItsNeighbours() {
        String small = reading(1, 10);
        String big = reading(2, Frames.BILLING_UNIT_BYTES);

        List<String> frames = Frames.pack(List.of(small, big, small));

        assertThat(frames).containsExactly(small, big, small);
    }

    @Test
    void multiByteCharacters_countAsTheirUtf8Bytes() {
        String wide = reading(1, 0).replace("\"pad\":\"\"", "\"pad\":\"" + "é".repeat(9000) + "\"");
        List<String> frames = Frames.pack(List.of(wide, wide));

        // 18 KB each in UTF-8 (9,000 characters): two do not fit one 32 KB frame.
        assertThat(frames).hasSize(2);
        assertThat(dev.edgewire.runtime.Utf8.length(wide)).isEqualTo((long) wide.getBytes(StandardCharsets.UTF_8).length);
        assertThat(dev.edgewire.runtime.Utf8.length("a\uD83D\uDE00b")).isEqualTo(6L);
    }
}
