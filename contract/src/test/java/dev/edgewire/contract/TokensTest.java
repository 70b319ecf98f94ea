package dev.edgewire.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokensTest {

    private static final byte[] KEY = "a-test-key-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PREVIOUS_KEY = "the-key-before-the-rotation-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final Instant T0 = Instant.parse("2026-11-29T21:00:00Z");
    private static final Clock NOW = Clock.fixed(T0, ZoneOffset.UTC);

    @Test
    void mintedToken_verifies_andCarriesItsSubjectAndExpiry() {
        String token = Tokens.mint(KEY, "dashboard user", Tokens.Grant.ALL, Duration.ofHours(1), NOW);

        Tokens.Verification verification = Tokens.verify(KEY, token, NOW);

        assertThat(verification.valid()).isTrue();
        assertThat(verification.subject()).isEqualTo("dashboard user");
        assertThat(verification.expiresAt()).isEqualTo(Instant.parse("2026-11-29T22:00:00Z"));
        assertThat(token).matches("[A-Za-z0-9._-]+");
    }

    @Test
    void mintedToken_carriesItsGrantIssuedAtAndExpiry() {
        String[] parts = Tokens.mint(KEY, "u", Tokens.Grant.devices(List.of("thing-2", "thing-1")), Duration.ofHours(1), NOW)
                .split("\\.", -1);

        assertThat(parts).hasSize(6);
        assertThat(parts[0]).isEqualTo("v3");
        assertThat(parts[2]).isEqualTo(b64("thing-1,thing-2"));
        assertThat(parts[3]).isEqualTo(Long.toString(T0.getEpochSecond()));
        assertThat(parts[4]).isEqualTo(Long.toString(T0.plus(Duration.ofHours(1)).getEpochSecond()));
    }

    @Test
    void grant_survivesTheRoundTrip_forAllSomeAndNoDevices() {
        Tokens.Grant some = Tokens.Grant.devices(List.of("thing-1", "thing-2"));

        Tokens.Verification all = Tokens.verify(KEY, Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofHours(1), NOW), NOW);
        Tokens.Verification listed = Tokens.verify(KEY, Tokens.mint(KEY, "u", some, Duration.ofHours(1), NOW), NOW);
        Tokens.Verification none = Tokens.verify(KEY, Tokens.mint(KEY, "u", Tokens.Grant.NONE, Duration.ofHours(1), NOW), NOW);

        assertThat(all.grant()).isEqualTo(Tokens.Grant.ALL);
        assertThat(all.grant().allows("thing-99")).isTrue();
        assertThat(listed.grant()).isEqualTo(some);
        assertThat(listed.grant().allows("thing-2")).isTrue();
        assertThat(listed.grant().allows("thing-3")).isFalse();
        assertThat(none.valid()).isTrue();
        assertThat(none.grant()).isEqualTo(Tokens.Grant.NONE);
        assertThat(none.grant().allows("thing-1")).isFalse();
    }

    @Test
    void token_withAWiderGrantWrittenIn_isRejected() {
        String token = Tokens.mint(KEY, "u", Tokens.Grant.devices(List.of("thing-1")), Duration.ofHours(1), NOW);
        String[] parts = token.split("\\.", -1);
        String widened = String.join(".", parts[0], parts[1], b64("*"), parts[3], parts[4], parts[5]);

        assertThat(Tokens.verify(KEY, widened, NOW).reason()).isEqualTo("bad signature");
    }

    @Test
    void signedGrant_thatIsNotAListOfThingNames_isRejectedAsMalformed() {
        String token = signed(KEY, "v3." + b64("u") + "." + b64("thing-1,,thing/2") + "." + T0.getEpochSecond() + "."
                + T0.plus(Duration.ofHours(1)).getEpochSecond());

        assertThat(Tokens.verify(KEY, token, NOW).reason()).isEqualTo("malformed");
    }

    @Test
    void v2Token_withoutGrant_isAccepted_untilItExpires_butCommandsNoDevice() {
        String v2 = signed(KEY, "v2." + b64("u") + "." + T0.getEpochSecond() + "." + T0.plus(Duration.ofHours(1)).getEpochSecond());

        Tokens.Verification verification = Tokens.verify(KEY, v2, NOW);

        assertThat(verification.valid()).isTrue();
        assertThat(verification.subject()).isEqualTo("u");
        assertThat(verification.grant()).isEqualTo(Tokens.Grant.NONE);
        assertThat(Tokens.verify(KEY, v2, Clock.offset(NOW, Duration.ofHours(1))).reason()).isEqualTo("expired");
    }

    @Test
    void grantText_isParsed_withAnAbsentGrantAllowingNothing() {
        assertThat(Tokens.Grant.parse(null)).isEqualTo(Tokens.Grant.NONE);
        assertThat(Tokens.Grant.parse("")).isEqualTo(Tokens.Grant.NONE);
        assertThat(Tokens.Grant.parse("*")).isEqualTo(Tokens.Grant.ALL);
        assertThat(Tokens.Grant.parse("thing-2,thing-1").text()).isEqualTo("thing-1,thing-2");
        assertThatThrownBy(() -> Tokens.Grant.parse("thing-1,*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tokens.Grant.devices(List.of("thing 1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mint_refusesAGrantTooLongForOneToken() {
        List<String> many = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "a-rather-long-thing-name-" + i).toList();

        assertThatThrownBy(() -> Tokens.mint(KEY, "u", Tokens.Grant.devices(many), Duration.ofHours(1), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name fewer devices");
    }

    @Test
    void token_isRejected_fromTheMomentItExpires() {
        String token = Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofMinutes(5), NOW);

        assertThat(Tokens.verify(KEY, token, Clock.offset(NOW, Duration.ofMinutes(5).minusSeconds(1))).valid()).isTrue();
        assertThat(Tokens.verify(KEY, token, Clock.offset(NOW, Duration.ofMinutes(5))).reason()).isEqualTo("expired");
    }

    @Test
    void lifetime_isCappedAtSevenDaysFromIssuedAt_whateverTheExpiryClaims() {
        // Signed with the right key but claiming 30 days, as an older or hand-made minter could.
        String token = signed(KEY, "v3." + b64("u") + "." + b64("*") + "." + T0.getEpochSecond() + "."
                + T0.plus(Duration.ofDays(30)).getEpochSecond());

        Tokens.Verification early = Tokens.verify(KEY, token, NOW);
        assertThat(early.valid()).isTrue();
        assertThat(early.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(7)));
        assertThat(Tokens.verify(KEY, token, Clock.offset(NOW, Duration.ofDays(7).minusSeconds(1))).valid()).isTrue();
        assertThat(Tokens.verify(KEY, token, Clock.offset(NOW, Duration.ofDays(7))).reason())
                .isEqualTo("expired (past the 7-day cap)");
        assertThat(Tokens.verify(KEY, token, Clock.offset(NOW, Duration.ofDays(29))).valid()).isFalse();
    }

    @Test
    void token_issuedInTheFuture_isRejected_beyondAMinuteOfClockSkew() {
        Instant ahead = T0.plus(Tokens.CLOCK_SKEW);
        String withinSkew = Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofHours(1), Clock.fixed(ahead, ZoneOffset.UTC));
        String beyondSkew = Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofHours(1), Clock.fixed(ahead.plusSeconds(1), ZoneOffset.UTC));

        assertThat(Tokens.verify(KEY, withinSkew, NOW).valid()).isTrue();
        assertThat(Tokens.verify(KEY, beyondSkew, NOW).reason()).isEqualTo("issued in the future");
    }

    @Test
    void v1Token_withoutIssuedAt_isRejected_evenWithAValidSignatureAndExpiry() {
        String v1 = signed(KEY, "v1." + b64("u") + "." + T0.plus(Duration.ofHours(1)).getEpochSecond());

        assertThat(Tokens.verify(KEY, v1, NOW).valid()).isFalse();
        assertThat(Tokens.verify(KEY, v1, NOW).reason()).startsWith("without issued-at");
    }

    @Test
    void token_signedWithThePreviousKey_verifies_whenThatKeyIsStillAccepted() {
        String token = Tokens.mint(PREVIOUS_KEY, "u", Tokens.Grant.ALL, Duration.ofHours(1), NOW);

        assertThat(Tokens.verify(List.of(KEY, PREVIOUS_KEY), token, NOW).valid()).isTrue();
        assertThat(Tokens.verify(List.of(KEY), token, NOW).reason()).isEqualTo("bad signature");
    }

    @Test
    void token_signedWithAnotherKey_isRejectedAsForged() {
        byte[] otherKey = "another-key-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
        String forged = Tokens.mint(otherKey, "u", Tokens.Grant.ALL, Duration.ofHours(1), NOW);

        assertThat(Tokens.verify(KEY, forged, NOW).reason()).isEqualTo("bad signature");
        assertThat(Tokens.verify(List.of(KEY, PREVIOUS_KEY), forged, NOW).reason()).isEqualTo("bad signature");
    }

    @Test
    void token_withALaterExpiryWrittenIn_isRejected() {
        String token = Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofMinutes(5), NOW);
        String[] parts = token.split("\\.");
        String extended = String.join(".", parts[0], parts[1], parts[2], parts[3], Long.toString(Long.parseLong(parts[4]) + 86_400),
                parts[5]);

        assertThat(Tokens.verify(KEY, extended, NOW).reason()).isEqualTo("bad signature");
    }

    @Test
    void token_withALaterIssuedAtWrittenIn_isRejected() {
        String token = Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofHours(1), NOW);
        String[] parts = token.split("\\.");
        String reissued = String.join(".", parts[0], parts[1], parts[2], Long.toString(Long.parseLong(parts[3]) + 60), parts[4],
                parts[5]);

        assertThat(Tokens.verify(KEY, reissued, NOW).reason()).isEqualTo("bad signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "v2.a.b", "v3.dQ.1795982400.1795989600.c2ln", "v4.dQ.Kg.1795982400.1795989600.c2ln",
            "v3.dQ.Kg.notanumber.1795989600.c2ln", "v3.dQ.!!.1795982400.1795989600.c2ln", "v2.dQ.Kg.1795982400.1795989600.c2ln", "v2.dQ.notanumber.1795989600.c2ln",
            "v2.dQ.1795982400.notanumber.c2ln", "v2.dQ.-1.1795989600.c2ln", "v2.dQ.+1795982400.1795989600.c2ln",
            "v2.dQ.1795982400.99999999999999999999.c2ln", "v2.!!.1795982400.1795989600.c2ln",
            "v2.dQ.1795982400.1795989600.c2ln.extra", "v1.dQ.1795989600"})
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
        assertThatThrownBy(() -> Tokens.mint(new byte[16], "u", Tokens.Grant.ALL, Duration.ofHours(1), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tokens.verify(List.of(KEY, new byte[16]), "t", NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mint_refusesATtlLongerThanSevenDays_ratherThanMintATokenThatIsCutShort() {
        assertThat(Tokens.verify(KEY, Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofDays(7), NOW), NOW).valid()).isTrue();
        assertThatThrownBy(() -> Tokens.mint(KEY, "u", Tokens.Grant.ALL, Duration.ofDays(7).plusSeconds(1), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 7 days");
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Signs as the format says, independently of {@link Tokens}, for tokens its mint would not make. */
    private static String signed(byte[] key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return payload + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
