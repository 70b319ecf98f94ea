package dev.edgewire.local.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The one AWS identity local mode knows: the access key its own handlers sign requests with
 * (Signature Version 4). Endpoints that AWS protects with IAM (the IoT Data Plane {@code Publish}
 * call, the {@code @connections} API) refuse requests that are not signed with this access key.
 */
public record CloudCredentials(String accessKeyId, String secretAccessKey) {

    private static final Pattern CREDENTIAL = Pattern.compile(
            "^AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/[^,]+,\\s*SignedHeaders=[^,]+,\\s*Signature=[0-9a-f]{64}$");

    /** Whether the request carries a SigV4 {@code Authorization} header for this access key. */
    public boolean signed(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null) {
            return false;
        }
        Matcher m = CREDENTIAL.matcher(authorization.trim());
        return m.matches() && m.group(1).equals(accessKeyId);
    }
}
