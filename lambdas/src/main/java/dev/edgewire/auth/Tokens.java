package dev.edgewire.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring WebSocket tokens: {@code v1.<subject>.<expiry>.<signature>}, where the subject
 * is base64url, the expiry is epoch seconds and the signature is the base64url HMAC-SHA256 of
 * everything before it. Only URL-safe characters, so a token goes into {@code ?token=} as it is.
 * The device client and local mode mint with the same key the authorizer verifies with.
 */
public final class Tokens {

    /** Keys shorter than this are refused: HMAC-SHA256 wants at least its output size. */
    public static final int MIN_KEY_BYTES = 32;
    /** Longer tokens are refused before any work is spent on them. */
    public static final int MAX_TOKEN_CHARS = 1024;

    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Tokens() {
    }

    /** Why a token was accepted or not; {@code subject} and {@code expiresAt} are set only when valid. */
    public record Verification(boolean valid, String subject, Instant expiresAt, String reason) {

        static Verification rejected(String reason) {
            return new Verification(false, null, null, reason);
        }
    }

    /** A token for {@code subject}, valid for {@code ttl} from now. */
    public static String mint(byte[] key, String subject, Duration ttl, Clock clock) {
        requireKey(key);
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        String signed = VERSION + "." + ENCODER.encodeToString(subject.getBytes(StandardCharsets.UTF_8)) + "." + expiry;
        return signed + "." + ENCODER.encodeToString(sign(key, signed));
    }

    /** Checks the signature first, then the expiry; never throws for any token text. */
    public static Verification verify(byte[] key, String token, Clock clock) {
        requireKey(key);
        if (token == null || token.isBlank()) {
            return Verification.rejected("missing");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            return Verification.rejected("malformed");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            return Verification.rejected("malformed");
        }
        String subject;
        long expiry;
        byte[] signature;
        try {
            subject = new String(DECODER.decode(parts[1]), StandardCharsets.UTF_8);
            expiry = Long.parseLong(parts[2]);
            signature = DECODER.decode(parts[3]);
        } catch (IllegalArgumentException e) {
            return Verification.rejected("malformed");
        }
        String signed = parts[0] + "." + parts[1] + "." + parts[2];
        if (!MessageDigest.isEqual(sign(key, signed), signature)) {
            return Verification.rejected("bad signature");
        }
        Instant expiresAt = Instant.ofEpochSecond(expiry);
        if (!clock.instant().isBefore(expiresAt)) {
            return Verification.rejected("expired");
        }
        if (subject.isBlank()) {
            return Verification.rejected("malformed");
        }
        return new Verification(true, subject, expiresAt, "valid");
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
