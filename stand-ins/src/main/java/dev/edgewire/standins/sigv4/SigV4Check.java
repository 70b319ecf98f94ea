package dev.edgewire.standins.sigv4;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a request's SigV4 {@code Authorization} header as an AWS endpoint does, for the stand-ins of
 * AWS endpoints (local mode, tests): it builds the canonical request from the request as received
 * (method, raw path and query, exactly the headers the client lists as signed, the payload hash),
 * signs it with the known secret at the request's own {@code X-Amz-Date}, and compares in constant
 * time. The steps are those of the IAM User Guide ("Create a signed AWS API request", "Elements of
 * an AWS API request signature"): for every service but S3 the canonical URI is the path as sent,
 * URI-encoded once more; the payload hash is {@code x-amz-content-sha256} when the client sent one,
 * else the SHA-256 of the body. Working from the client's own list of signed headers is what lets
 * every SDK pass: the Java SDK's signer adds and signs {@code x-amz-content-sha256}, boto3 and the AWS
 * CLI do not, so re-signing with one SDK's signer would refuse the others.
 *
 * <p>A request is refused as AWS refuses it: with a wrong secret, an altered path, query or body, a
 * listed header missing, or a date out of the window. A session token, when the caller has one, is
 * taken from the request as signed and not itself checked.
 */
public final class SigV4Check {

    /** How far {@code X-Amz-Date} may be from now, either way, as AWS allows. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);

    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final Pattern AUTHORIZATION = Pattern.compile("^" + ALGORITHM
            + " Credential=([^/,\\s]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,\\s]+), ?Signature=([0-9a-f]{64})$");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX");
    private static final HexFormat HEX = HexFormat.of();
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    /** The outcome, with the words AWS uses where it has them. */
    public enum Verdict {
        VALID,
        /** No {@code Authorization} header, or not a SigV4 one, or one that does not sign the host. */
        MISSING,
        /** Signed in due form, by another access key: not verified. */
        UNKNOWN_KEY,
        /** The signature does not match the request. */
        MISMATCH,
        /** {@code X-Amz-Date} missing, not the credential scope's date, or further from now than {@link #MAX_SKEW}. */
        EXPIRED
    }

    /** What is read off the request: header values by name (case-insensitive), and the body. */
    public record Received(String method, String scheme, String host, String rawPath, String rawQuery,
                           Function<String, String> header, byte[] body) {
    }

    /** The credential scope a request was signed for. */
    public record Scope(String accessKeyId, String date, String region, String service) {
    }

    private final String accessKeyId;
    private final byte[] secret;
    private final Clock clock;

    public SigV4Check(String accessKeyId, String secretAccessKey, Clock clock) {
        this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
        this.secret = ("AWS4" + Objects.requireNonNull(secretAccessKey, "secretAccessKey")).getBytes(StandardCharsets.UTF_8);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The scope of a SigV4 {@code Authorization} header, or {@code null} when it is not one. */
    public static Scope scope(String authorization) {
        Matcher m = authorization == null ? null : AUTHORIZATION.matcher(authorization.trim());
        return m == null || !m.matches() ? null : new Scope(m.group(1), m.group(2), m.group(3), m.group(4));
    }

    public Verdict check(Received request) {
        String authorization = request.header().apply("Authorization");
        Matcher m = authorization == null ? null : AUTHORIZATION.matcher(authorization.trim());
        if (m == null || !m.matches()) {
            return Verdict.MISSING;
        }
        List<String> signedHeaders = List.of(m.group(5).split(";"));
        if (!signedHeaders.contains("host")) {
            return Verdict.MISSING;
        }
        String amzDate = request.header().apply("X-Amz-Date");
        Instant signedAt;
        try {
            signedAt = amzDate == null ? null : AMZ_DATE.parse(amzDate, Instant::from);
        } catch (DateTimeParseException e) {
            signedAt = null;
        }
        if (signedAt == null || !amzDate.startsWith(m.group(2))
                || Duration.between(signedAt, clock.instant()).abs().compareTo(MAX_SKEW) > 0) {
            return Verdict.EXPIRED;
        }
        if (!m.group(1).equals(accessKeyId)) {
            return Verdict.UNKNOWN_KEY;
        }
        String canonical = canonicalRequest(request, signedHeaders);
        if (canonical == null) {
            return Verdict.MISMATCH;
        }
        String scope = m.group(2) + "/" + m.group(3) + "/" + m.group(4) + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + HEX.formatHex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(hmac(hmac(hmac(secret, m.group(2)), m.group(3)), m.group(4)), "aws4_request");
        byte[] expected = HEX.formatHex(hmac(key, stringToSign)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, m.group(6).getBytes(StandardCharsets.US_ASCII)) ? Verdict.VALID : Verdict.MISMATCH;
    }

    /**
     * The canonical request, or {@code null} when a header the client lists as signed is not there,
     * or the body is not the one its {@code x-amz-content-sha256} names.
     */
    private static String canonicalRequest(Received request, List<String> signedHeaders) {
        StringBuilder canonical = new StringBuilder()
                .append(request.method()).append('\n')
                .append(canonicalUri(request.rawPath())).append('\n')
                .append(canonicalQuery(request.rawQuery())).append('\n');
        for (String name : signedHeaders) {
            String value = name.equals("host") ? request.host() : request.header().apply(name);
            if (value == null) {
                return null;
            }
            canonical.append(name).append(':').append(value.trim().replaceAll("\\s+", " ")).append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n');
        String bodyHash = HEX.formatHex(sha256(request.body()));
        String payloadHash = request.header().apply("x-amz-content-sha256");
        if (payloadHash != null && !payloadHash.equals(UNSIGNED_PAYLOAD) && !payloadHash.equals(bodyHash)) {
            return null; // the body is not the one the client hashed
        }
        canonical.append(payloadHash != null ? payloadHash : bodyHash);
        return canonical.toString();
    }

    /** The path as sent, URI-encoded once more (every service but S3 signs it so). */
    private static String canonicalUri(String rawPath) {
        return rawPath == null || rawPath.isEmpty() ? "/" : encode(rawPath, true);
    }

    /** Each parameter name and value URI-encoded (after undoing the client's encoding), sorted by name, then value. */
    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> parameters = new ArrayList<>();
        for (String parameter : rawQuery.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? parameter : parameter.substring(0, eq);
            String value = eq < 0 ? "" : parameter.substring(eq + 1);
            parameters.add(new String[] {encode(decode(name), false), encode(decode(value), false)});
        }
        parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder query = new StringBuilder();
        for (String[] p : parameters) {
            query.append(query.isEmpty() ? "" : "&").append(p[0]).append('=').append(p[1]);
        }
        return query.toString();
    }

    /** RFC 3986 encoding of everything but the unreserved characters (and {@code /} when asked). */
    private static String encode(String text, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(HEX.toHexDigits(b).toUpperCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    private static String decode(String text) {
        try {
            return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
