package dev.edgewire.standins.sigv4;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Checks a request's SigV4 {@code Authorization} header as an AWS endpoint does: signs the request
 * as received (method, raw path and query, the headers it lists as signed, the body) again with the
 * SDK's signer, with the known secret, at the request's own {@code X-Amz-Date}, and compares. For
 * the stand-ins of AWS endpoints (local mode, tests), so a request with a wrong secret, an altered
 * path or body, or an old date is refused there as AWS would refuse it. A session token, when the
 * caller has one, is taken from the request as signed and not itself checked.
 */
public final class SigV4Check {

    /** How far {@code X-Amz-Date} may be from now, either way, as AWS allows. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "^AWS4-HMAC-SHA256 Credential=([^/,\\s]+)/\\d{8}/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,\\s]+), ?Signature=([0-9a-f]{64})$");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX");

    /** The outcome, with the words AWS uses where it has them. */
    public enum Verdict {
        VALID,
        /** No {@code Authorization} header, or not a SigV4 one. */
        MISSING,
        /** Signed, but by another access key. */
        UNKNOWN_KEY,
        /** The signature does not match the request. */
        MISMATCH,
        /** {@code X-Amz-Date} missing, or further from now than {@link #MAX_SKEW}. */
        EXPIRED
    }

    /** What is read off the request: header values by name (case-insensitive), and the body. */
    public record Received(String method, String scheme, String host, String rawPath, String rawQuery,
                           Function<String, String> header, byte[] body) {
    }

    private final AwsCredentialsIdentity credentials;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    public SigV4Check(String accessKeyId, String secretAccessKey, Clock clock) {
        this.credentials = AwsCredentialsIdentity.create(accessKeyId, secretAccessKey);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Verdict check(Received request) {
        String authorization = request.header().apply("Authorization");
        Matcher m = authorization == null ? null : AUTHORIZATION.matcher(authorization.trim());
        if (m == null || !m.matches()) {
            return Verdict.MISSING;
        }
        if (!m.group(1).equals(credentials.accessKeyId())) {
            return Verdict.UNKNOWN_KEY;
        }
        Instant signedAt;
        try {
            String date = request.header().apply("X-Amz-Date");
            signedAt = date == null ? null : AMZ_DATE.parse(date, Instant::from);
        } catch (DateTimeParseException e) {
            signedAt = null;
        }
        if (signedAt == null || Duration.between(signedAt, clock.instant()).abs().compareTo(MAX_SKEW) > 0) {
            return Verdict.EXPIRED;
        }
        SdkHttpRequest.Builder received = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(request.method()))
                .uri(URI.create(request.scheme() + "://" + request.host() + request.rawPath()
                        + (request.rawQuery() == null ? "" : "?" + request.rawQuery())));
        for (String name : m.group(4).split(";")) {
            if (!name.equals("host") && !name.equals("x-amz-date")) {
                String value = request.header().apply(name);
                if (value == null) {
                    return Verdict.MISMATCH;
                }
                received.putHeader(name, value);
            }
        }
        Instant at = signedAt;
        String resigned = signer.sign(r -> r.identity(credentials)
                        .request(received.build())
                        .payload(ContentStreamProvider.fromByteArrayUnsafe(request.body()))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, m.group(3))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, m.group(2))
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)))
                .request().firstMatchingHeader("Authorization").orElse("");
        return resigned.endsWith("Signature=" + m.group(5)) ? Verdict.VALID : Verdict.MISMATCH;
    }
}
