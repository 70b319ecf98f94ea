package dev.edgewire.local.pki;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS material of the local CA for test clients: a device's key managers, the CA's trust managers. */
public final class TestTls {

    private TestTls() {
    }

    /** Key managers that present {@code identity}'s certificate. */
    public static KeyManagerFactory keyManagers(LocalPki.Identity identity) throws Exception {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("device", identity.privateKey(), password, new X509Certificate[] {identity.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        return kmf;
    }

    /** Trust managers that trust the local CA (and only it). */
    public static TrustManagerFactory trustManagers(LocalPki pki) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(pki.trustStore());
        return tmf;
    }

    /** A client context trusting the local CA, presenting {@code identity} if it is not null. */
    public static SSLContext context(LocalPki pki, LocalPki.Identity identity) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(identity == null ? null : keyManagers(identity).getKeyManagers(),
                trustManagers(pki).getTrustManagers(), null);
        return context;
    }
}
