package dev.edgewire.standins.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.standins.sigv4.SigV4Check.Received;
import dev.edgewire.standins.sigv4.SigV4Check.Verdict;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

class SigV4CheckTest {

    private static final Instant NOW = Instant.parse("2026-11-30T03:00:00Z");
    private static final SigV4Check CHECK = new SigV4Check("AKIDLOCAL", "secret", Clock.fixed(NOW, ZoneOffset.UTC));
    private static final byte[] BODY = "{\"type\":\"message\"}".getBytes(StandardCharsets.UTF_8);
    private static final String PATH = "/demo/@connections/abc%3D";

    /** A request as the SDK's signer signs it, then seen by the server: header names as a server may case them. */
    private static Received signed(AwsCredentialsIdentity identity, Instant at, String path, byte[] body) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create("http://127.0.0.1:8080" + PATH)).putHeader("Content-Type", "application/json").build();
        SdkHttpRequest out = AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(BODY))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        out.forEachHeader((name, values) -> headers.put(name, values.getFirst()));
        headers.put("Host", "127.0.0.1:8080");
        return new Received("POST", "http", "127.0.0.1:8080", path, null, headers::get, body);
    }

    @Test
    void aRequestSignedWithTheSecretIsValid() {
        assertThat(CHECK.check(signed(AwsCredentialsIdentity.create("AKIDLOCAL", "secret"), NOW, PATH, BODY)))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void temporaryCredentialsAreValid_withTheirTokenSigned() {
        var session = AwsSessionCredentialsIdentity.create("AKIDLOCAL", "secret", "token");
        assertThat(CHECK.check(signed(session, NOW.minusSeconds(60), PATH, BODY))).isEqualTo(Verdict.VALID);
    }

    @Test
    void aWrongSecret_anAlteredPathOrBody_doNotMatch() {
        var right = AwsCredentialsIdentity.create("AKIDLOCAL", "secret");
        assertThat(CHECK.check(signed(AwsCredentialsIdentity.create("AKIDLOCAL", "guess"), NOW, PATH, BODY)))
                .isEqualTo(Verdict.MISMATCH);
        assertThat(CHECK.check(signed(right, NOW, "/demo/@connections/other%3D", BODY))).isEqualTo(Verdict.MISMATCH);
        assertThat(CHECK.check(signed(right, NOW, PATH, "{}".getBytes(StandardCharsets.UTF_8)))).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void anotherAccessKey_noHeader_andAnOldDate_areEachNamed() {
        assertThat(CHECK.check(signed(AwsCredentialsIdentity.create("AKIDOTHER", "secret"), NOW, PATH, BODY)))
                .isEqualTo(Verdict.UNKNOWN_KEY);
        assertThat(CHECK.check(new Received("POST", "http", "h", PATH, null, name -> null, BODY))).isEqualTo(Verdict.MISSING);
        assertThat(CHECK.check(signed(AwsCredentialsIdentity.create("AKIDLOCAL", "secret"), NOW.minus(SigV4Check.MAX_SKEW)
                .minusSeconds(1), PATH, BODY))).isEqualTo(Verdict.EXPIRED);
    }

    /**
     * Requests signed the way boto3 and the AWS CLI sign them: only {@code host} and {@code x-amz-date},
     * no {@code x-amz-content-sha256}. Vectors of AWS's Signature Version 4 test suite
     * ({@code get-vanilla}, {@code get-vanilla-query-order-key-case}; key {@code AKIDEXAMPLE}, region
     * us-east-1, service {@code service}).
     */
    @Test
    void requestsThatSignOnlyHostAndDate_asBoto3Does_areVerified() {
        SigV4Check check = new SigV4Check("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC));

        assertThat(check.check(vector(null, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")))
                .isEqualTo(Verdict.VALID);
        assertThat(check.check(vector("Param2=value2&Param1=value1",
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))).isEqualTo(Verdict.VALID);
        assertThat(check.check(vector("Param2=value2&Param1=value9",
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))).isEqualTo(Verdict.MISMATCH);
    }

    private static Received vector(String query, String signature) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", "example.amazonaws.com");
        headers.put("X-Amz-Date", "20150830T123600Z");
        headers.put("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=" + signature);
        return new Received("GET", "https", "example.amazonaws.com", "/", query, headers::get, new byte[0]);
    }

    @Test
    void theScope_namesTheKeyDateRegionAndService() {
        assertThat(SigV4Check.scope("AWS4-HMAC-SHA256 Credential=AKIDX/20261201/eu-west-1/iotdata/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=" + "0".repeat(64)))
                .isEqualTo(new SigV4Check.Scope("AKIDX", "20261201", "eu-west-1", "iotdata"));
        assertThat(SigV4Check.scope("Bearer x")).isNull();
    }
}
