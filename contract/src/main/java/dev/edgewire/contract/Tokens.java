package dev.edgewire.contract;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring WebSocket tokens: {@code v2.<subject>.<issuedAt>.<expiry>.<signature>}, where the
 * subject is base64url, issued-at and expiry are epoch seconds and the signature is the base64url
 * HMAC-SHA256 of everything before it. Only URL-safe characters, so a token goes into
 * {@code ?token=} as it is. The device client and local mode mint with the same key the authorizer
 * verifies with.
 *
 * <p>Verification caps a token's lifetime at {@link #MAX_LIFETIME} from its issued-at, whatever
 * expiry it claims, so a token minted with a long expiry, or by someone holding an old key, does
 * not stay good for longer.
 */
public final class Tokens {

    /** Keys shorter than this are refused: HMAC-SHA256 wants at least its output size. */
    public static final int MIN_KEY_BYTES = 32;
    /** Longer tokens are refused before any work is spent on them. */
    public static final int MAX_TOKEN_CHARS = 1024;
    /** The longest a token is accepted for, counted from its issued-at. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(7);
    /** How far in the future an issued-at may be, for a minting clock a little ahead of ours. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private static final String VERSION = "v2";
    /**
     * Tokens minted before issued-at was added: {@code v1.<subject>.<expiry>.<signature>}. They are
     * refused, not grandfathered: without an issued-at their lifetime cannot be capped, and the
     * expiry they carry is whatever the minter asked for. Their holders mint a new token (local mode
     * mints a fresh one on every start).
     */
    private static final String VERSION_WITHOUT_ISSUED_AT = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    /** Plain digits, at most 12 (beyond the year 30000), so the arithmetic on them cannot overflow. */
    private static final Pattern EPOCH_SECONDS = Pattern.compile("[0-9]{1,12}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Tokens() {
    }

    /**
     * Why a token was accepted or not; {@code subject} and {@code expiresAt} are set only when valid.
     * {@code expiresAt} is when the token stops being accepted: its expiry, or earlier when the
     * lifetime cap comes first.
     */
    public record Verification(boolean valid, String subject, Instant expiresAt, String reason) {

        static Verification rejected(String reason) {
            return new Verification(false, null, null, reason);
        }
    }

    /** A token for {@code subject}, issued now and valid for {@code ttl}, at most {@link #MAX_LIFETIME}. */
    public static String mint(byte[] key, String subject, Duration ttl, Clock clock) {
        requireKey(key);
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        // Refused rather than minted: verification would cut it short without telling the holder.
        if (ttl.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("ttl must be at most " + MAX_LIFETIME.toDays() + " days, was " + ttl);
        }
        Instant now = clock.instant();
        String signed = VERSION + "." + ENCODER.encodeToString(subject.getBytes(StandardCharsets.UTF_8))
                + "." + now.getEpochSecond() + "." + now.plus(ttl).getEpochSecond();
        return signed + "." + ENCODER.encodeToString(sign(key, signed));
    }

    /** {@link #verify(List, String, Clock)} with one key. */
    public static Verification verify(byte[] key, String token, Clock clock) {
        requireKey(key);
        return verify(List.of(key), token, clock);
    }

    /**
     * Checks the signature against each of {@code keys} (during a key rotation, the current and the
     * previous key), then the issued-at and the expiry; never throws for any token text.
     */
    public static Verification verify(List<byte[]> keys, String token, Clock clock) {
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("at least one token key is needed");
        }
        keys.forEach(Tokens::requireKey);
        if (token == null || token.isBlank()) {
            return Verification.rejected("missing");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            return Verification.rejected("malformed");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length == 4 && VERSION_WITHOUT_ISSUED_AT.equals(parts[0])) {
            return Verification.rejected("without issued-at (a v1 token; mint a new one)");
        }
        if (parts.length != 5 || !VERSION.equals(parts[0])
                || !EPOCH_SECONDS.matcher(parts[2]).matches() || !EPOCH_SECONDS.matcher(parts[3]).matches()) {
            return Verification.rejected("malformed");
        }
        String subject;
        byte[] signature;
        try {
            subject = new String(DECODER.decode(parts[1]), StandardCharsets.UTF_8);
            signature = DECODER.decode(parts[4]);
        } catch (IllegalArgumentException e) {
            return Verification.rejected("malformed");
        }
        String signed = parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3];
        if (!signedByAnyOf(keys, signed, signature)) {
            return Verification.rejected("bad signature");
        }
        Instant now = clock.instant();
        Instant issuedAt = Instant.ofEpochSecond(Long.parseLong(parts[2]));
        if (issuedAt.isAfter(now.plus(CLOCK_SKEW))) {
            return Verification.rejected("issued in the future");
        }
        Instant claimed = Instant.ofEpochSecond(Long.parseLong(parts[3]));
        Instant capped = issuedAt.plus(MAX_LIFETIME);
        boolean cappedFirst = capped.isBefore(claimed);
        Instant expiresAt = cappedFirst ? capped : claimed;
        if (!now.isBefore(expiresAt)) {
            return Verification.rejected(cappedFirst ? "expired (past the " + MAX_LIFETIME.toDays() + "-day cap)" : "expired");
        }
        if (subject.isBlank()) {
            return Verification.rejected("malformed");
        }
        return new Verification(true, subject, expiresAt, "valid");
    }

    private static boolean signedByAnyOf(List<byte[]> keys, String signed, byte[] signature) {
        boolean matched = false;
        // Every key is tried, so the time taken does not tell which one matched.
        for (byte[] key : keys) {
            matched |= MessageDigest.isEqual(sign(key, signed), signature);
        }
        return matched;
    }

    private static byte[] sign(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static void requireKey(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the token key must have at least " + MIN_KEY_BYTES + " bytes");
        }
    }
}
