package dev.edgewire.device.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgewire.device.EdgewireDevice;
import dev.edgewire.device.tls.TlsMaterial;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeysCommandTest {

    @TempDir
    Path dir;

    private int run(StringWriter err, String... args) {
        CommandLine commandLine = EdgewireDevice.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter()));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private static PKCS10CertificationRequest csr(Path file) throws Exception {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file)))) {
            return (PKCS10CertificationRequest) parser.readObject();
        }
    }

    @Test
    void create_writesAnOwnerOnlyEcKey_andACsrForTheThingSignedByIt() throws Exception {
        assertThat(run(new StringWriter(), "keys", "create", "--thing", "thing-9", "--dir", dir.toString())).isZero();

        Path keyFile = dir.resolve("thing-9.private.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        PrivateKey key = TlsMaterial.privateKey(keyFile);
        assertThat(key).isInstanceOf(ECPrivateKey.class);
        assertThat(((ECPrivateKey) key).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        PKCS10CertificationRequest request = csr(dir.resolve("thing-9.csr"));
        assertThat(request.getSubject().toString()).isEqualTo("CN=thing-9");
        assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(request.getSubjectPublicKeyInfo())))
                .isTrue();
    }

    @Test
    void create_withRsa_makesA2048BitKey() throws Exception {
        assertThat(run(new StringWriter(), "keys", "create", "--thing", "thing-r", "--algorithm", "rsa", "--dir", dir.toString()))
                .isZero();
        PrivateKey key = TlsMaterial.privateKey(dir.resolve("thing-r.private.key"));
        assertThat(((RSAPrivateCrtKey) key).getModulus().bitLength()).isEqualTo(2048);
    }

    @Test
    void create_refusesToReplaceAKey_unlessForced() throws Exception {
        assertThat(run(new StringWriter(), "keys", "create", "--thing", "thing-9", "--dir", dir.toString())).isZero();
        String before = Files.readString(dir.resolve("thing-9.private.key"));
        StringWriter err = new StringWriter();

        assertThat(run(err, "keys", "create", "--thing", "thing-9", "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("thing-9.private.key already exists; pass --force");
        assertThat(Files.readString(dir.resolve("thing-9.private.key"))).isEqualTo(before);

        assertThat(run(new StringWriter(), "keys", "create", "--thing", "thing-9", "--dir", dir.toString(), "--force")).isZero();
        assertThat(Files.readString(dir.resolve("thing-9.private.key"))).isNotEqualTo(before);
    }

    @Test
    void fetchCertificate_withoutACertificateId_saysWhereItComesFrom() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "keys", "fetch-certificate", "--region", "eu-west-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--certificate-id").contains("EDGEWIRE_CERTIFICATE_ID").contains("CertificateId");
    }
}
