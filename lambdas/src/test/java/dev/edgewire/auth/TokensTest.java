package dev.edgewire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokensTest {

    private static final byte[] KEY = "a-test-key-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-29T21:00:00Z"), ZoneOffset.UTC);

    @Test
    void mintedToken_verifies_andCarriesItsSubjectAndExpiry() {
        String token = Tokens.mint(KEY, "dashboard user", Duration.ofHours(1), NOW);

        Tokens.Verification verification = Tokens.verify(KEY, token, NOW);

        assertThat(verification.valid()).isTrue();
        assertThat(verification.subject()).isEqualTo("dashboard user");
        assertThat(verification.expiresAt()).isEqualTo(Instant.parse("2026-11-29T22:00:00Z"));
        assertThat(token).matches("[A-Za-z0-9._-]+");
    }

    @Test
    void token_isRejected_fromTheMomentItExpires() {
        String token = Tokens.mint(KEY, "u", Duration.ofMinutes(5), NOW);

        assertThat(Tokens.verify(KEY, token, Clock.offset(NOW, Duration.ofMinutes(5).minusSeconds(1))).valid()).isTrue();
        assertThat(Tokens.verify(KEY, token, Clock.offset(NOW, Duration.ofMinutes(5))).reason()).isEqualTo("expired");
    }

    @Test
    void token_signedWithAnotherKey_isRejectedAsForged() {
        byte[] otherKey = "another-key-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
        String forged = Tokens.mint(otherKey, "u", Duration.ofHours(1), NOW);

        assertThat(Tokens.verify(KEY, forged, NOW).reason()).isEqualTo("bad signature");
    }

    @Test
    void token_withALaterExpiryWrittenIn_isRejected() {
        String token = Tokens.mint(KEY, "u", Duration.ofMinutes(5), NOW);
        String[] parts = token.split("\\.");
        String extended = parts[0] + "." + parts[1] + "." + (Long.parseLong(parts[2]) + 86_400) + "." + parts[3];

        assertThat(Tokens.verify(KEY, extended, NOW).reason()).isEqualTo("bad signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "v1.a.b", "v2.dQ.1795989600.c2ln", "v1.dQ.notanumber.c2ln", "v1.!!.1795989600.c2ln",
            "v1.dQ.1795989600.c2ln.extra"})
    void malformedToken_isRejected(String token) {
        assertThat(Tokens.verify(KEY, token, NOW).valid()).isFalse();
        assertThat(Tokens.verify(KEY, token, NOW).reason()).isIn("malformed", "bad signature");
    }

    @Test
    void missingToken_isRejected() {
        assertThat(Tokens.verify(KEY, null, NOW).reason()).isEqualTo("missing");
        assertThat(Tokens.verify(KEY, " ", NOW).reason()).isEqualTo("missing");
    }

    @Test
    void shortKey_isRefused() {
        assertThatThrownBy(() -> Tokens.mint(new byte[16], "u", Duration.ofHours(1), NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
