package dev.edgewire.device.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.contract.Topology;

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
import java.util.List;
import java.util.Map;
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

    @Test
    void create_withDevices_writesAnOwnerOnlyKeyAndACsrForEachOfThing1ToN() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine commandLine = EdgewireDevice.commandLine();
        commandLine.setOut(new PrintWriter(out));
        assertThat(commandLine.execute("keys", "create", "--devices", "3", "--dir", dir.toString())).isZero();

        for (String thing : List.of("thing-1", "thing-2", "thing-3")) {
            Path keyFile = dir.resolve(thing + ".private.key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
            PKCS10CertificationRequest request = csr(dir.resolve(thing + ".csr"));
            assertThat(request.getSubject().toString()).isEqualTo("CN=" + thing);
            // The CSR is signed by that device's own key, not another's.
            assertThat(isKeyOf(TlsMaterial.privateKey(keyFile), request)).isTrue();
        }
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(6);
        }
        assertThat(out.toString()).contains("cdk deploy --all --context csrDir=" + dir);
    }

    @Test
    void create_withDevicesAndAPrefix_namesThemPrefix1ToN() throws Exception {
        assertThat(run(new StringWriter(), "keys", "create", "--devices", "2", "--device-prefix", "greenhouse-",
                "--dir", dir.toString())).isZero();

        assertThat(csr(dir.resolve("greenhouse-2.csr")).getSubject().toString()).isEqualTo("CN=greenhouse-2");
        assertThat(dir.resolve("greenhouse-1.private.key")).exists();
        assertThat(dir.resolve("greenhouse-3.private.key")).doesNotExist();
    }

    @Test
    void create_withDevices_refusesBeforeWritingAny_whenOneKeyExists() throws Exception {
        Files.writeString(dir.resolve("thing-2.private.key"), "kept");
        StringWriter err = new StringWriter();

        assertThat(run(err, "keys", "create", "--devices", "3", "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("thing-2.private.key already exists; pass --force");
        assertThat(dir.resolve("thing-1.private.key")).doesNotExist();
        assertThat(Files.readString(dir.resolve("thing-2.private.key"))).isEqualTo("kept");
    }

    @Test
    void create_withDevicesAndThing_isRefused() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "keys", "create", "--devices", "2", "--thing", "x", "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--thing for one device or --devices N for a fleet");
    }

    @Test
    void create_withMoreDevicesThanOneDeploymentProvisions_isRefused() {
        StringWriter err = new StringWriter();
        int tooMany = Topology.MAX_THINGS_PER_DEPLOYMENT + 1;
        assertThat(run(err, "keys", "create", "--devices", Integer.toString(tooMany), "--dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--devices must be from 1 to " + Topology.MAX_THINGS_PER_DEPLOYMENT);
        assertThat(run(new StringWriter(), "keys", "create", "--devices", "0", "--dir", dir.toString())).isEqualTo(2);
    }

    @Test
    void create_withAPrefixThatMakesInvalidThingNames_isRefused() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "keys", "create", "--devices", "2", "--device-prefix", "my thing ", "--dir", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("not a valid AWS IoT thing name");
    }

    @Test
    void fetchCertificate_all_withoutAFleetsOutputs_namesTheOutputsItNeeds() throws Exception {
        Path outputs = Files.writeString(dir.resolve("cdk-outputs.json"),
                "{\"EdgewireStateful\": {\"ThingName\": \"thing-1\", \"CertificateId\": \"abc\"}}");
        StringWriter err = new StringWriter();

        assertThat(run(err, "keys", "fetch-certificate", "--all", "--outputs", outputs.toString(), "--region", "eu-west-1"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("ThingNames").contains("CertificateIds");
    }

    @Test
    void fetchCertificate_all_writesEachThingsCertificateBesideItsKey() throws Exception {
        Map<String, String> fleet = KeysCommand.FetchCertificate.fleet(Map.of(
                "ThingNames", "thing-1,thing-2,thing-10", "CertificateIds", "id1,id2,id10", "TableName", "t"));
        StringWriter out = new StringWriter();

        KeysCommand.FetchCertificate.writeAll(fleet, dir, id -> "PEM of " + id, new PrintWriter(out));

        assertThat(fleet).containsExactly(Map.entry("thing-1", "id1"), Map.entry("thing-2", "id2"),
                Map.entry("thing-10", "id10"));
        assertThat(Files.readString(dir.resolve("thing-2.cert.pem"))).isEqualTo("PEM of id2");
        assertThat(Files.readString(dir.resolve("thing-10.cert.pem"))).isEqualTo("PEM of id10");
        assertThat(out.toString()).contains("--devices 3 --cert-dir " + dir);
    }

    @Test
    void fetchCertificate_all_refusesOutputsWhoseListsDoNotMatch() {
        assertThatThrownBy(() -> KeysCommand.FetchCertificate.fleet(Map.of(
                "ThingNames", "thing-1,thing-2", "CertificateIds", "id1")))
                .hasMessageContaining("2 things but 1 certificate ids");
    }

    /** Whether {@code key} is the private half of the CSR's public key: what it signs, that key verifies. */
    private static boolean isKeyOf(PrivateKey key, PKCS10CertificationRequest request) throws Exception {
        byte[] data = "edgewire".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(request).getPublicKey());
        verifier.update(data);
        return verifier.verify(signature);
    }
}
