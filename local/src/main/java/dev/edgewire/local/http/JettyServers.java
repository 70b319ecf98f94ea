package dev.edgewire.local.http;

import dev.edgewire.standins.pki.LocalPki;
import java.io.IOException;
import java.security.GeneralSecurityException;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode's Jetty servers, each with one connector: HTTPS with the local CA's server certificate for
 * IoT's publish endpoint, plain HTTP for the WebSocket API, {@code @connections} and the dashboard.
 * Both take paths as the AWS SDKs send them. The caller sets the handler and starts the server.
 */
public final class JettyServers {

    private static final Logger LOG = LoggerFactory.getLogger(JettyServers.class);

    private JettyServers() {
    }

    /**
     * TLS 1.2 or 1.3 with the server certificate of {@code pki}; a client certificate from its CA is
     * asked for, not required.
     */
    public static Server https(String host, int port, LocalPki pki) throws GeneralSecurityException, IOException {
        Server server = new Server();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        char[] password = "local".toCharArray();
        tls.setKeyStore(pki.keyStore(pki.server(), password));
        tls.setKeyStorePassword("local");
        tls.setTrustStore(pki.trustStore());
        // Devices present certificates; the cloud side signs with SigV4 instead, so a certificate is wanted, not needed.
        tls.setWantClientAuth(true);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration http = httpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        return server;
    }

    public static Server http(String host, int port) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration()));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        return server;
    }

    /** The port the server listens on. */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Stops the server, if there is one; a failure to stop is logged. */
    public static void stop(Server server) {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.warn("server did not stop cleanly: {}", e.toString());
            }
        }
    }

    private static HttpConfiguration httpConfiguration() {
        HttpConfiguration http = new HttpConfiguration();
        // The SDK sends IoT topics and connection ids URL-encoded in one path segment ("devices%2Fthing-1%2F...").
        http.setUriCompliance(UriCompliance.from("DEFAULT,AMBIGUOUS_PATH_SEPARATOR,AMBIGUOUS_PATH_ENCODING"));
        http.setSendServerVersion(false);
        return http;
    }
}
