package io.egressguard.webhook;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Certificates rotated in the TLS directory (as a kubelet updates a mounted Secret) are served without a
 * restart: clients that trust only the new CA connect once the files were reloaded. Files that did not change
 * are not reloaded, and nothing is logged for them; a change is logged once.
 */
@QuarkusTest
@TestProfile(TlsRotationTest.FastReload.class)
@QuarkusTestResource(value = TlsRotationTest.RotatingCertificates.class, restrictToAnnotatedClass = true)
class TlsRotationTest {

    static Path dir;

    public static class FastReload implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("egress-guard.tls.reload-period", "1s", "egress-guard.state.dir",
                    "src/test/resources/webhook/state");
        }
    }

    public static class RotatingCertificates implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                dir = Files.createTempDirectory("egress-guard-rotating-tls");
                generate(dir);
                return Map.of("egress-guard.tls.dir", dir.toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
        }
    }

    static void generate(Path out) throws Exception {
        Process p = new ProcessBuilder("bash", "certs/generate.sh", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(log);
        }
    }

    static int status(KeyStore trust) {
        return given().trustStore(trust).baseUri("https://localhost")
                .port(ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class))
                .contentType("application/json").body("{}").post("/validate").statusCode();
    }

    /** What is logged about TLS reloads, by egress-guard and by Quarkus' HTTP server. */
    static final class TlsLog extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                String message = r instanceof org.jboss.logmanager.ExtLogRecord e ? e.getFormattedMessage() : r.getMessage();
                lines.add(r.getLoggerName() + ": " + message);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void rotatedCertificatesAreServedWithoutRestart() throws Exception {
        TlsLog log = new TlsLog();
        Logger ours = Logger.getLogger("io.egressguard.tls");
        Logger quarkus = Logger.getLogger("io.quarkus.vertx.http.runtime.HttpCertificateUpdateEventListener");
        ours.addHandler(log);
        quarkus.addHandler(log);
        try {
            rotate(log);
        } finally {
            ours.removeHandler(log);
            quarkus.removeHandler(log);
        }
    }

    void rotate(TlsLog log) throws Exception {
        KeyStore oldCa = TlsCertificates.trustStore(dir.resolve("ca.crt"));
        assertTrue400(status(oldCa));
        Thread.sleep(3_000); // three reload periods with unchanged files
        assertEquals(List.of(), log.lines, "nothing reloaded or logged while the files are unchanged");

        Path next = Files.createTempDirectory("egress-guard-next-tls");
        generate(next);
        KeyStore newCa = TlsCertificates.trustStore(next.resolve("ca.crt"));
        assertThrows(Exception.class, () -> status(newCa), "the new CA is not trusted before rotation");

        for (String f : new String[] {"tls.key", "tls.crt", "ca.crt"}) {
            Files.copy(next.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            try {
                assertTrue400(status(newCa));
                break;
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("rotated certificate not served within 15 s", notYet);
                }
                Thread.sleep(250);
            }
        }
        assertThrows(Exception.class, () -> status(oldCa), "the old certificate is no longer served");
        Thread.sleep(2_000);
        assertEquals(1, log.lines.size(), log.lines.toString());
        assertTrue(log.lines.get(0).startsWith("io.egressguard.tls: serving the new certificate ")
                && log.lines.get(0).contains(" from " + dir + ", valid until "), log.lines.toString());
    }

    /**
     * A key that is not the certificate's, then a garbage key: each is refused, logged and counted, and the
     * certificate in use keeps serving; the pair put back is taken again.
     */
    @Test
    void aBadKeyPairNeverReplacesAGoodOne() throws Exception {
        KeyStore ca = TlsCertificates.trustStore(dir.resolve("ca.crt"));
        assertTrue400(status(ca));
        byte[] goodKey = Files.readAllBytes(dir.resolve("tls.key"));
        Path other = Files.createTempDirectory("egress-guard-other-tls");
        generate(other);
        try {
            Files.copy(other.resolve("tls.key"), dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(3000);
            assertTrue400(status(ca));
            Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
            Thread.sleep(3000);
            assertTrue400(status(ca));
            String metrics = given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort())
                    .get("/q/metrics").asString();
            assertTrue(metrics.contains("egress_guard_tls_reload_failures_total 2.0"), metrics);
            assertTrue(metrics.contains("egress_guard_tls_certificate_expiry_timestamp_seconds "), metrics);
        } finally {
            Files.write(dir.resolve("tls.key"), goodKey);
        }
        Thread.sleep(2000);
        assertTrue400(status(ca));
    }

    /** A {@code {}} body is no AdmissionReview: 400 proves the TLS handshake and the request went through. */
    static void assertTrue400(int status) {
        org.junit.jupiter.api.Assertions.assertEquals(400, status);
    }
}
