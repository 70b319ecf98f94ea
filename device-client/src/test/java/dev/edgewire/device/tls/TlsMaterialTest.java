package dev.edgewire.device.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.device.DeviceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {

    @TempDir
    Path dir;

    @Test
    void withoutACaFile_theBundledAmazonRootCa1IsTrusted() {
        X509TrustManager trust = (X509TrustManager) TlsMaterial.trustManagers(null).getTrustManagers()[0];
        X509Certificate[] accepted = trust.getAcceptedIssuers();
        assertThat(accepted).hasSize(1);
        assertThat(accepted[0].getSubjectX500Principal().getName()).isEqualTo("CN=Amazon Root CA 1,O=Amazon,C=US");
    }

    @Test
    void aMissingCertificateFile_isNamed() {
        assertThatThrownBy(() -> TlsMaterial.certificates(dir.resolve("nope.pem"), "client certificate"))
                .isInstanceOf(DeviceException.class)
                .hasMessage("Client certificate file not found: " + dir.resolve("nope.pem"));
    }

    @Test
    void aFileWithoutACertificate_isRejectedClearly() throws Exception {
        Path file = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        assertThatThrownBy(() -> TlsMaterial.certificates(file, "CA certificate"))
                .hasMessageContaining("holds no PEM certificate");
    }

    @Test
    void aKeyFileHoldingACertificate_isRejectedClearly() throws Exception {
        Path file = dir.resolve("key.pem");
        Files.copy(TlsMaterialTest.class.getResourceAsStream(TlsMaterial.AMAZON_ROOT_CA_1), file);
        assertThatThrownBy(() -> TlsMaterial.privateKey(file))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("holds no unencrypted PEM private key");
    }
}
