package dev.edgewire.contract;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring WebSocket tokens that say what their holder may command:
 * {@code v3.<subject>.<grant>.<issuedAt>.<expiry>.<signature>}, where the subject and the
 * {@link Grant} are base64url, issued-at and expiry are epoch seconds and the signature is the
 * base64url HMAC-SHA256 of everything before it, so the grant cannot be changed without the key.
 * Only URL-safe characters, so a token goes into {@code ?token=} as it is. The device client and
 * local mode mint with the same key the authorizer verifies with.
 *
 * <p>Every token lets its holder watch (readings and messages); the grant says which devices it
 * may send commands to: all of them, some, or none.
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

    private static final String VERSION = "v3";
    /**
     * Tokens minted before the grant was added: {@code v2.<subject>.<issuedAt>.<expiry>.<signature>}.
     * They are accepted until they run out (at most {@link #MAX_LIFETIME}) with {@link Grant#NONE}:
     * they never said which devices their holder may command, so they command none, and watching,
     * which every token allows, goes on. Their holders mint a new token to command devices.
     */
    private static final String VERSION_WITHOUT_GRANT = "v2";
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
     * The devices a token's holder may send commands to: {@link #ALL}, {@link #NONE}, or the things
     * named. As text (inside the token, and in the authorizer's context for the routes) it is
     * {@value #ALL_TEXT} for every device, or the thing names in natural order joined by commas, the
     * empty text for none; neither {@code *} nor {@code ,} can be part of a thing name.
     */
    public record Grant(boolean allDevices, SortedSet<String> devices) {

        /** Every device, including ones added after the token was minted. */
        public static final Grant ALL = new Grant(true, new TreeSet<>());
        /** No device: the holder watches and messages the other watchers, and commands nothing. */
        public static final Grant NONE = new Grant(false, new TreeSet<>());
        /** The text of {@link #ALL}. */
        public static final String ALL_TEXT = "*";
        private static final Pattern THING_NAME = Outputs.THING_NAME_PATTERN;

        public Grant {
            Objects.requireNonNull(devices, "devices");
            devices = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(devices));
            if (allDevices && !devices.isEmpty()) {
                throw new IllegalArgumentException("a grant of every device names none");
            }
        }

        /** The devices named; refuses a name that is not a thing name ({@link Outputs#THING_NAME_PATTERN}). */
        public static Grant devices(Collection<String> things) {
            for (String thing : things) {
                if (thing == null || !THING_NAME.matcher(thing).matches()) {
                    throw new IllegalArgumentException("not a thing name: \"" + thing
                            + "\" (1 to 128 of a-z, A-Z, 0-9, ':', '_' and '-')");
                }
            }
            return new Grant(false, new TreeSet<>(things));
        }

        /** Whether the holder may send commands to {@code thing}. */
        public boolean allows(String thing) {
            return allDevices || devices.contains(thing);
        }

        /** The grant as text: {@value #ALL_TEXT}, or the names joined by commas (empty for none). */
        public String text() {
            return allDevices ? ALL_TEXT : String.join(",", devices);
        }

        /** What the holder may command, in words, for error details and logs. */
        public String describe() {
            if (allDevices) {
                return "every device";
            }
            return devices.isEmpty() ? "no device" : String.join(", ", devices);
        }

        /**
         * The grant a text stands for: {@code null} or empty is {@link #NONE}, so an absent grant
         * allows nothing.
         *
         * @throws IllegalArgumentException when a name in the list is not a thing name
         */
        public static Grant parse(String text) {
            if (text == null || text.isEmpty()) {
                return NONE;
            }
            if (text.equals(ALL_TEXT)) {
                return ALL;
            }
            return devices(List.of(text.split(",", -1)));
        }
    }

    /**
     * Why a token was accepted or not; {@code subject}, {@code grant} and {@code expiresAt} are set only
     * when valid. {@code expiresAt} is when the token stops being accepted: its expiry, or earlier when
     * the lifetime cap comes first.
     */
    public record Verification(boolean valid, String subject, Grant grant, Instant expiresAt, String reason) {

        static Verification rejected(String reason) {
            return new Verification(false, null, null, null, reason);
        }
    }

    /**
     * A token for {@code subject} that may command what {@code grant} names, issued now and valid for
     * {@code ttl}, at most {@link #MAX_LIFETIME}.
     *
     * @throws IllegalArgumentException also when the grant names so many devices that the token would be
     *                                  longer than {@link #MAX_TOKEN_CHARS}
     */
    public static String mint(byte[] key, String subject, Grant grant, Duration ttl, Clock clock) {
        requireKey(key);
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
        Objects.requireNonNull(grant, "grant");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        // Refused rather than minted: verification would cut it short without telling the holder.
        if (ttl.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("ttl must be at most " + MAX_LIFETIME.toDays() + " days, was " + ttl);
        }
        Instant now = clock.instant();
        String signed = VERSION + "." + ENCODER.encodeToString(subject.getBytes(StandardCharsets.UTF_8))
                + "." + ENCODER.encodeToString(grant.text().getBytes(StandardCharsets.UTF_8))
                + "." + now.getEpochSecond() + "." + now.plus(ttl).getEpochSecond();
        String token = signed + "." + ENCODER.encodeToString(sign(key, signed));
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new IllegalArgumentException("the token would have " + token.length() + " characters, more than the "
                    + MAX_TOKEN_CHARS + " a token may have: name fewer devices, or grant every device");
        }
        return token;
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
        // A v2 token is a v3 token without its grant segment; read both alike, the grant then being none.
        boolean withGrant = parts.length == 6 && VERSION.equals(parts[0]);
        boolean withoutGrant = parts.length == 5 && VERSION_WITHOUT_GRANT.equals(parts[0]);
        if (!withGrant && !withoutGrant) {
            return Verification.rejected("malformed");
        }
        int times = withGrant ? 3 : 2;
        if (!EPOCH_SECONDS.matcher(parts[times]).matches() || !EPOCH_SECONDS.matcher(parts[times + 1]).matches()) {
            return Verification.rejected("malformed");
        }
        String subject;
        String grantText;
        byte[] signature;
        try {
            subject = new String(DECODER.decode(parts[1]), StandardCharsets.UTF_8);
            grantText = withGrant ? new String(DECODER.decode(parts[2]), StandardCharsets.UTF_8) : "";
            signature = DECODER.decode(parts[parts.length - 1]);
        } catch (IllegalArgumentException e) {
            return Verification.rejected("malformed");
        }
        String signed = token.substring(0, token.lastIndexOf('.'));
        if (!signedByAnyOf(keys, signed, signature)) {
            return Verification.rejected("bad signature");
        }
        Instant now = clock.instant();
        Instant issuedAt = Instant.ofEpochSecond(Long.parseLong(parts[times]));
        if (issuedAt.isAfter(now.plus(CLOCK_SKEW))) {
            return Verification.rejected("issued in the future");
        }
        Instant claimed = Instant.ofEpochSecond(Long.parseLong(parts[times + 1]));
        Instant capped = issuedAt.plus(MAX_LIFETIME);
        boolean cappedFirst = capped.isBefore(claimed);
        Instant expiresAt = cappedFirst ? capped : claimed;
        if (!now.isBefore(expiresAt)) {
            return Verification.rejected(cappedFirst ? "expired (past the " + MAX_LIFETIME.toDays() + "-day cap)" : "expired");
        }
        if (subject.isBlank()) {
            return Verification.rejected("malformed");
        }
        Grant grant;
        try {
            grant = Grant.parse(grantText);
        } catch (IllegalArgumentException e) {
            return Verification.rejected("malformed");
        }
        return new Verification(true, subject, grant, expiresAt, "valid");
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
