package dev.edgewire.local.http;

import dev.edgewire.standins.sigv4.SigV4Check;
import java.time.Clock;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

/**
 * The one AWS identity local mode knows: the access key its own handlers sign requests with
 * (Signature Version 4). Endpoints that AWS protects with IAM (the IoT Data Plane {@code Publish}
 * call, the {@code @connections} API) check each request's signature with this key's secret, as
 * AWS does, and refuse the rest.
 */
public final class CloudCredentials {

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

    /** Checks the request's SigV4 signature over its method, path, query, signed headers and this body. */
    public SigV4Check.Verdict check(Request request, byte[] body) {
        HttpFields headers = request.getHeaders();
        return check.check(new SigV4Check.Received(request.getMethod(), request.getHttpURI().getScheme(),
                headers.get("Host"), request.getHttpURI().getPath(), request.getHttpURI().getQuery(), headers::get, body));
    }
}
