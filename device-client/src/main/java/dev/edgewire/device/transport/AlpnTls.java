package dev.edgewire.device.transport;

import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * Offers an ALPN protocol name on TLS connections to one host and port.
 *
 * <p>AWS IoT Core serves MQTT with client certificates on port 443 only when the client offers
 * ALPN {@code x-amzn-mqtt-ca}, and HTTPS only with {@code x-amzn-http-ca}. Neither the HiveMQ
 * MQTT client nor the JDK's HTTP client lets a caller choose the ALPN name: both build their TLS
 * engines from {@code SSLContext.getInstance("TLS")} (or a context made that way). So this
 * registers, ahead of the JDK's own, a "TLS" context that wraps the JDK's (SunJSSE) and hands out
 * an {@link AlpnEngine} for the registered host and port; every other engine is the JDK's, untouched.
 */
public final class AlpnTls {
    private static final Map<String, String> PROTOCOL_BY_ADDRESS = new ConcurrentHashMap<>();
    private static volatile boolean installed;

    private AlpnTls() {
    }

    /** Offers {@code protocol} on engines created for {@code host:port} from now on, JVM-wide. */
    public static synchronized void install(String host, int port, String protocol) {
        PROTOCOL_BY_ADDRESS.put(key(host, port), protocol);
        if (!installed) {
            Security.insertProviderAt(new AlpnProvider(), 1);
            installed = true;
        }
    }

    static String protocolFor(String host, int port) {
        return host == null ? null : PROTOCOL_BY_ADDRESS.get(key(host, port));
    }

    private static String key(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static final class AlpnProvider extends Provider {
        AlpnProvider() {
            super("EdgewireAlpn", "1.0", "SunJSSE TLS with ALPN for AWS IoT Core on port 443");
            putService(new Service(this, "SSLContext", "TLS", AlpnContextSpi.class.getName(), null, null) {
                @Override
                public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
                    return new AlpnContextSpi();
                }
            });
        }
    }

    private static final class AlpnContextSpi extends SSLContextSpi {
        private final SSLContext delegate;

        AlpnContextSpi() throws NoSuchAlgorithmException {
            try {
                delegate = SSLContext.getInstance("TLS", "SunJSSE");
            } catch (NoSuchProviderException e) {
                throw new NoSuchAlgorithmException("SunJSSE is not available", e);
            }
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            delegate.init(km, tm, sr);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return delegate.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return delegate.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine engine = delegate.createSSLEngine(host, port);
            String protocol = protocolFor(host, port);
            return protocol == null ? engine : new AlpnEngine(engine, protocol);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }
}
