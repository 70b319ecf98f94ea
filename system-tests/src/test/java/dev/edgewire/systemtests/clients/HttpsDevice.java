package dev.edgewire.systemtests.clients;

import dev.edgewire.systemtests.target.Deployment;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A device publishing over HTTPS as AWS IoT Core takes it: {@code POST /topics/{url-encoded topic}?qos=1} at
 * {@code IotEndpoint:HttpsPort}, with the thing's client certificate (or, to check refusals, without one).
 */
public final class HttpsDevice implements AutoCloseable {

    private final HttpClient http;
    private final String endpoint;
    private final int port;
    private final Duration patience;

    private HttpsDevice(SSLContext tls, Deployment deployment) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(15)).build();
        this.endpoint = deployment.iotEndpoint();
        this.port = deployment.httpsPort();
        this.patience = deployment.patience();
    }

    /** With the thing's certificate and key. */
    public static HttpsDevice of(Deployment deployment) {
        return new HttpsDevice(deployment.deviceTls().sslContext(), deployment);
    }

    /** Trusting the same CA, but presenting no client certificate. */
    public static HttpsDevice withoutCertificate(Deployment deployment) throws Exception {
        TrustManagerFactory trust = deployment.deviceTls().trustManagers();
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return new HttpsDevice(tls, deployment);
    }

    public HttpResponse<String> publish(String topic, String body) throws Exception {
        String encoded = URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20");
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + endpoint + ":" + port + "/topics/" + encoded + "?qos=1"))
                .timeout(patience)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        http.close();
    }
}
