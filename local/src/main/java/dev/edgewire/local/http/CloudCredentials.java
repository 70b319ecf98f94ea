package dev.edgewire.local.http;

import dev.edgewire.standins.sigv4.SigV4Check;
import java.time.Clock;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

/**
 * The one AWS identity local mode knows: the access key its own handlers sign requests with
 * (Signature Version 4), also written to an AWS shared-credentials profile for users. Endpoints
 * that AWS protects with IAM (the IoT Data Plane {@code Publish} call, the {@code @connections} API)
 * accept a request signed with this key only if its signature verifies, as AWS does. A request
 * signed with any other key is accepted when it is signed in due form, as other local AWS
 * emulators accept any key: a SigV4 header whose scope names this endpoint's service and a region,
 * that signs the host, dated within the window. So every SDK and the AWS CLI work configured the
 * way their users configure them.
 */
public final class CloudCredentials {

    /** What an AWS region name looks like: {@code us-east-1}, {@code eu-central-2}, {@code us-gov-west-1}. */
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

    private final String accessKeyId;
    private final String secretAccessKey;
    private final SigV4Check check;

    public CloudCredentials(String accessKeyId, String secretAccessKey) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.check = new SigV4Check(accessKeyId, secretAccessKey, Clock.systemUTC());
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    /**
     * Checks the request's SigV4 signature over its method, path, query, signed headers and this body:
     * {@link SigV4Check.Verdict#VALID} for local mode's key when it verifies, and for another key when
     * the request is signed in due form for {@code service}; {@code MISMATCH} for another key signed
     * for another service or no region.
     */
    public SigV4Check.Verdict check(Request request, byte[] body, String service) {
        HttpFields headers = request.getHeaders();
        SigV4Check.Verdict verdict = check.check(new SigV4Check.Received(request.getMethod(), request.getHttpURI().getScheme(),
                headers.get("Host"), request.getHttpURI().getPath(), request.getHttpURI().getQuery(), headers::get, body));
        if (verdict != SigV4Check.Verdict.UNKNOWN_KEY) {
            return verdict;
        }
        SigV4Check.Scope scope = SigV4Check.scope(headers.get("Authorization"));
        return scope != null && scope.service().equals(service) && REGION.matcher(scope.region()).matches()
                ? SigV4Check.Verdict.VALID : SigV4Check.Verdict.MISMATCH;
    }
}
