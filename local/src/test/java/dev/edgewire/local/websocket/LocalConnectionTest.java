package dev.edgewire.local.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalConnectionTest {

    private static final int FRAME = 32 * 1024;

    @Test
    void aMessageThatFitsAFrame_goesWhole() {
        String text = "x".repeat(FRAME);
        assertThat(LocalConnection.frames(text, FRAME)).containsExactly(text);
        assertThat(LocalConnection.frames("", FRAME)).containsExactly("");
    }

    @Test
    void aLargerMessage_isCutIntoFramesOfAtMost32Kb_thatTogetherAreTheMessage() {
        String text = "{\"type\":\"message\",\"message\":\"" + "m".repeat(40_000) + "\"}";
        List<String> frames = LocalConnection.frames(text, FRAME);
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).getBytes(StandardCharsets.UTF_8)).hasSize(FRAME);
        assertThat(String.join("", frames)).isEqualTo(text);
    }

    @Test
    void aFrameNeverEndsInsideACharacter() {
        // 3-byte and 4-byte characters straddle the 32 KB boundary.
        String text = "a" + "€".repeat(20_000) + "😀".repeat(10_000);
        List<String> frames = LocalConnection.frames(text, FRAME);
        assertThat(String.join("", frames)).isEqualTo(text);
        for (String frame : frames) {
            assertThat(frame.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(FRAME);
            assertThat(Character.isLowSurrogate(frame.charAt(0))).isFalse();
            assertThat(Character.isHighSurrogate(frame.charAt(frame.length() - 1))).isFalse();
        }
        assertThat(frames).hasSize(4);
    }
}
