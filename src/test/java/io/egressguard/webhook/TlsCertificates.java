package io.egressguard.webhook;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;

/**
 * Serves the webhook with a certificate made by the project's own {@code certs/generate.sh}, and makes the
 * tests' HTTPS client trust only its CA: what the tests verify is the TLS set-up a cluster would use.
 */
public class TlsCertificates implements QuarkusTestResourceLifecycleManager {

    static Path dir;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("egress-guard-tls");
                Process p = new ProcessBuilder("bash", "certs/generate.sh", dir.toString(), "egress-guard", "egress-guard")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("certs/generate.sh failed: " + out);
                }
            }
            RestAssured.trustStore(trustStore(dir.resolve("ca.crt")));
            return Map.of("egress-guard.tls.dir", dir.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyStore trustStore(Path caCert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            ks.setCertificateEntry("egress-guard-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        return ks;
    }

    @Override
    public void stop() {
        // the directory is reused by every test profile of this run
    }
}
