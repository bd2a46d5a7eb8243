package io.egressguard.webhook;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A key pair is checked before it is served: parsable, the key the certificate's, the certificate valid now. */
class ServingKeyPairTest {

    @TempDir
    static Path a;
    @TempDir
    static Path b;

    @BeforeAll
    static void generate() throws Exception {
        TlsRotationTest.generate(a);
        TlsRotationTest.generate(b);
    }

    static byte[] read(Path dir, String f) throws Exception {
        return Files.readAllBytes(dir.resolve(f));
    }

    @Test
    void aMatchingPairIsAccepted() throws Exception {
        ServingKeyPair p = ServingKeyPair.check(read(a, "tls.crt"), read(a, "tls.key"), Instant.now());
        assertTrue(p.notAfter().isAfter(Instant.now().plus(Duration.ofDays(300))));
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        var e = assertThrows(ServingKeyPair.Invalid.class,
                () -> ServingKeyPair.check(read(a, "tls.crt"), read(b, "tls.key"), Instant.now()));
        assertTrue(e.getMessage().contains("not the private key"), e.getMessage());
    }

    @Test
    void garbageAndEmptyFilesAreRefused() throws Exception {
        byte[] garbage = "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n".getBytes();
        assertThrows(ServingKeyPair.Invalid.class, () -> ServingKeyPair.check(read(a, "tls.crt"), garbage, Instant.now()));
        assertThrows(ServingKeyPair.Invalid.class, () -> ServingKeyPair.check(new byte[0], read(a, "tls.key"), Instant.now()));
        assertThrows(ServingKeyPair.Invalid.class, () -> ServingKeyPair.check(read(a, "tls.key"), read(a, "tls.crt"), Instant.now()));
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        var e = assertThrows(ServingKeyPair.Invalid.class, () -> ServingKeyPair.check(read(a, "tls.crt"),
                read(a, "tls.key"), Instant.now().plus(Duration.ofDays(400))));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }
}
