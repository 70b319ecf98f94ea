package dev.edgewire.device.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgewire.device.DeviceException;
import dev.edgewire.device.EdgewireDevice;
import dev.edgewire.device.cloud.Target;
import dev.edgewire.device.tls.TlsMaterial;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Which devices {@code simulate} runs as, and whose key and certificate each one uses. */
class SimulateFleetTest {

    /** A deployed fleet's outputs, as {@code cdk deploy --outputs-file} merges them. */
    private static final Map<String, String> AWS_FLEET = Map.of(
            "IotEndpoint", "abc-ats.iot.eu-west-1.amazonaws.com",
            "ThingName", "thing-1",
            "ThingNames", "thing-1,thing-2,thing-3",
            "CertificateIds", "id1,id2,id3");

    @TempDir
    Path dir;

    @Test
    void againstADeployedFleet_devicesAreItsFirstNThings_withTheirFilesFromTheCertDir() throws Exception {
        writeIdentities(dir, "thing-1", "thing-2");

        SimulateCommand.Fleet fleet = SimulateCommand.Fleet.choose(2, "thing-1", null, "sim-", dir, AWS_FLEET);

        assertThat(fleet).isEqualTo(new SimulateCommand.Fleet(List.of("thing-1", "thing-2"), dir, false));
    }

    @Test
    void againstADeployedFleet_aCertDirMissingADevicesFiles_isRefusedNamingThemAndTheCommands() throws Exception {
        writeIdentities(dir, "thing-1");
        Files.delete(dir.resolve("thing-1.cert.pem"));

        assertThatThrownBy(() -> SimulateCommand.Fleet.choose(2, "thing-1", null, "sim-", dir, AWS_FLEET))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining(dir.resolve("thing-1.cert.pem").toString())
                .hasMessageContaining(dir.resolve("thing-2.cert.pem").toString())
                .hasMessageContaining(dir.resolve("thing-2.private.key").toString())
                .hasMessageNotContaining(dir.resolve("thing-1.private.key").toString())
                .hasMessageContaining("keys fetch-certificate --outputs cdk-outputs.json --all --dir " + dir);
    }

    @Test
    void againstADeployedFleet_withoutACertDir_isRefusedNamingIt() {
        assertThatThrownBy(() -> SimulateCommand.Fleet.choose(3, "thing-1", null, "sim-", null, AWS_FLEET))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("--cert-dir DIR");
    }

    @Test
    void againstADeployedFleet_moreDevicesThanThings_isRefusedSayingHowToDeployMore() {
        assertThatThrownBy(() -> SimulateCommand.Fleet.choose(4, "thing-1", null, "sim-", dir, AWS_FLEET))
                .hasMessageContaining("The deployment has 3 things (thing-1, thing-2, thing-3), not 4")
                .hasMessageContaining("keys create --devices 4");
    }

    @Test
    void againstLocalMode_devicesAreItsThings_withItsCertificates() {
        Map<String, String> local = Map.of("ThingNames", "thing-1,thing-2,thing-3,thing-4",
                "ThingCertificatesDir", "/tmp/local-certs");

        SimulateCommand.Fleet fleet = SimulateCommand.Fleet.choose(3, "thing-1", null, "sim-", null, local);

        assertThat(fleet).isEqualTo(new SimulateCommand.Fleet(List.of("thing-1", "thing-2", "thing-3"),
                Path.of("/tmp/local-certs"), true));
    }

    @Test
    void withAPrefix_orWithoutListedThings_devicesArePrefix1ToN() {
        assertThat(SimulateCommand.Fleet.choose(2, "thing-1", "csv-", "sim-", dir, AWS_FLEET).deviceIds())
                .containsExactly("csv-1", "csv-2");
        assertThat(SimulateCommand.Fleet.choose(2, "thing-1", null, "sim-", dir, Map.of()).deviceIds())
                .containsExactly("sim-1", "sim-2");
    }

    @Test
    void oneDevice_isTheTargetsThing() {
        assertThat(SimulateCommand.Fleet.choose(1, "thing-7", null, "sim-", dir, AWS_FLEET).deviceIds())
                .containsExactly("thing-7");
    }

    @Test
    void eachDevice_connectsWithItsOwnKeyFromTheCertDir_andTheCertificateIssuedFromItsCsr() throws Exception {
        writeIdentities(dir, "thing-1", "thing-2");
        Target target = new Target("abc-ats.iot.eu-west-1.amazonaws.com", 8883, 8443, "thing-1", null, null,
                null, null, null, null);

        for (String thing : List.of("thing-1", "thing-2")) {
            X509KeyManager keys = (X509KeyManager) SimulateCommand.tlsFor(target, thing, dir, false)
                    .keyManagers().getKeyManagers()[0];
            X509Certificate certificate = keys.getCertificateChain("device")[0];
            assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=" + thing);
            assertThat(keys.getPrivateKey("device").getEncoded())
                    .isEqualTo(TlsMaterial.privateKey(dir.resolve(thing + ".private.key")).getEncoded());
        }
    }

    @Test
    void simulate_againstADeployedFleet_withAnIncompleteCertDir_stopsBeforeConnecting() throws Exception {
        Path outputs = Files.writeString(dir.resolve("cdk-outputs.json"), """
                {"EdgewireStateful": {"ThingName": "thing-1", "ThingNames": "thing-1,thing-2", "CertificateIds": "a,b"},
                 "EdgewireStateless": {"IotEndpoint": "abc-ats.iot.eu-west-1.amazonaws.com"}}
                """);
        Path certs = Files.createDirectories(dir.resolve("fleet"));
        StringWriter err = new StringWriter();
        CommandLine commandLine = EdgewireDevice.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter()));
        commandLine.setErr(new PrintWriter(err, true));

        int exit = commandLine.execute("simulate", "--outputs", outputs.toString(), "--devices", "2",
                "--cert-dir", certs.toString(), "--outbox", dir.resolve("outbox.db").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains(certs.resolve("thing-2.private.key").toString());
    }

    /**
     * What a device and a deploy leave in the cert dir: {@code keys create --devices N}'s keys and
     * CSRs, and, for each CSR, a certificate issued from it (here by a test CA, on AWS by IoT Core).
     */
    private static void writeIdentities(Path dir, String... things) throws Exception {
        CommandLine commandLine = EdgewireDevice.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter()));
        String prefix = "thing-";
        assertThat(commandLine.execute("keys", "create", "--devices", Integer.toString(things.length),
                "--device-prefix", prefix, "--dir", dir.toString(), "--force")).isZero();
        KeyPair ca = KeysCommand.keyPair("ec");
        for (String thing : things) {
            PKCS10CertificationRequest csr;
            try (PEMParser parser = new PEMParser(new StringReader(Files.readString(dir.resolve(thing + ".csr"))))) {
                csr = (PKCS10CertificationRequest) parser.readObject();
            }
            Instant now = Instant.now();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new X509v3CertificateBuilder(
                    new X500Name("CN=test issuer"), BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)),
                    csr.getSubject(), csr.getSubjectPublicKeyInfo())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
            try (Writer out = Files.newBufferedWriter(dir.resolve(thing + ".cert.pem"), StandardCharsets.US_ASCII);
                 JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(certificate);
            }
        }
    }
}
