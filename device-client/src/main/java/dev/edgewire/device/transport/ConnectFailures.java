package dev.edgewire.device.transport;

import dev.edgewire.device.cloud.Target;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Turns what a failed connection throws into one sentence a person can act on. */
final class ConnectFailures {

    private ConnectFailures() {
    }

    static TransportException explain(Throwable failure, Target target, String protocol, int port) {
        String where = protocol + " " + target.endpoint() + ":" + port;
        String chain = describeChain(failure);
        if (has(failure, CertPathValidatorException.class) || chain.contains("PKIX path")
                || chain.contains("unable to find valid certification path")) {
            return new UnreachableException("TLS to " + where
                    + " failed: the server's certificate is not signed by the trusted CA ("
                    + (target.caFile() == null ? "the bundled Amazon Root CA 1" : target.caFile())
                    + "). Check --ca. [" + chain + "]", failure);
        }
        if (chain.contains("No subject alternative") || chain.contains("No name matching")) {
            return new UnreachableException("TLS to " + where
                    + " failed: the server's certificate does not name host " + target.endpoint() + ". [" + chain + "]", failure);
        }
        // The JDK names TLS alerts in lower case (bad_certificate), BoringSSL in upper case (TLSV1_ALERT_UNKNOWN_CA).
        String alerts = chain.toLowerCase(Locale.ROOT);
        if (alerts.contains("bad_certificate") || alerts.contains("certificate_required")
                || alerts.contains("unknown_ca") || alerts.contains("certificate_unknown")
                || alerts.contains("access_denied") || alerts.contains("handshake_failure")) {
            return new NotAuthorizedException("TLS to " + where
                    + " failed: the server rejected the client certificate " + target.certFile()
                    + " (not signed by a CA it trusts, revoked, or not active). [" + chain + "]", failure);
        }
        if (has(failure, SSLHandshakeException.class) || has(failure, CertificateException.class)) {
            return new UnreachableException("TLS handshake with " + where + " failed. [" + chain + "]", failure);
        }
        if (has(failure, UnknownHostException.class)) {
            return new UnreachableException("Unknown host " + target.endpoint() + ". [" + chain + "]", failure);
        }
        if (has(failure, ConnectException.class) || chain.contains("Connection refused")) {
            return new UnreachableException("Nothing answers at " + where + " (connection refused). [" + chain + "]", failure);
        }
        // With TLS 1.3 the client finishes its side of the handshake before the server has checked the
        // client certificate, so a refusal often shows up only as the connection being closed or reset.
        if (has(failure, SSLException.class) || has(failure, ClosedChannelException.class)
                || chain.contains("closed") || chain.contains("Closed") || chain.contains("Connection reset")
                || chain.contains("received no bytes")) {
            return new NotAuthorizedException("The server at " + where
                    + " closed the connection during or right after the TLS handshake; it most likely rejected the client certificate "
                    + target.certFile() + ". [" + chain + "]", failure);
        }
        return new UnreachableException("Could not connect to " + where + ": " + chain, failure);
    }

    static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static String describeChain(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !text.toString().contains(t.getMessage())) {
                if (!text.isEmpty()) {
                    text.append(": ");
                }
                text.append(t.getMessage());
            }
        }
        return text.isEmpty() ? failure.getClass().getSimpleName() : text.toString();
    }
}
