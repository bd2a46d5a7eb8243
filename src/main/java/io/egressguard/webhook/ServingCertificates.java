package io.egressguard.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;

/**
 * The serving key pair in {@code egress-guard.tls.dir}: checked at start (a pair that cannot serve stops the
 * start with the reason), then every {@code egress-guard.tls.reload-period}. A changed pair is handed to the
 * TLS registry only once it passed {@link ServingKeyPair#check}; a bad one is logged as an error, counted in
 * {@code egress_guard_tls_reload_failures_total}, and the previous pair keeps serving.
 * {@code egress_guard_tls_certificate_expiry_timestamp_seconds} tells when the served certificate expires.
 */
@ApplicationScoped
public class ServingCertificates {

    private static final Logger LOG = Logger.getLogger("io.egressguard.tls");
    static final String TLS_CONFIGURATION = "admission";

    @Inject
    WebhookConfig config;

    @Inject
    TlsConfigurationRegistry registry;

    @Inject
    Event<CertificateUpdatedEvent> updated;

    @Inject
    MeterRegistry metrics;

    @Inject
    Vertx vertx;

    private volatile ServingKeyPair served;
    private volatile byte[] servedDigest;
    private volatile byte[] rejectedDigest;
    private Counter failures;

    void start(@Observes StartupEvent event) {
        Path dir = Path.of(config.tls().dir());
        try {
            byte[][] files = read(dir);
            served = ServingKeyPair.check(files[0], files[1], Instant.now());
            servedDigest = digest(files);
        } catch (IOException | ServingKeyPair.Invalid e) {
            throw new IllegalStateException("egress-guard cannot serve TLS with the key pair in " + dir + ": "
                    + e.getMessage());
        }
        Gauge.builder("egress_guard_tls_certificate_expiry_timestamp_seconds", this,
                        s -> s.served.notAfter().getEpochSecond())
                .description("When the served certificate expires (seconds since the epoch)").register(metrics);
        failures = Counter.builder("egress_guard_tls_reload_failures_total")
                .description("Changed key pairs refused (the previous one kept serving)").register(metrics);
        long period = Math.max(100, config.tls().reloadPeriod().toMillis());
        vertx.setPeriodic(period, id -> vertx.executeBlocking(() -> {
            reload();
            return null;
        }, false));
    }

    /** Takes a changed key pair once it is valid; keeps the served one otherwise. */
    synchronized void reload() {
        Path dir = Path.of(config.tls().dir());
        byte[][] files;
        byte[] digest;
        try {
            files = read(dir);
            digest = digest(files);
        } catch (IOException e) {
            reject(null, dir, "cannot read: " + e.getMessage());
            return;
        }
        if (Arrays.equals(digest, servedDigest) || Arrays.equals(digest, rejectedDigest)) {
            return;
        }
        ServingKeyPair pair;
        try {
            pair = ServingKeyPair.check(files[0], files[1], Instant.now());
        } catch (ServingKeyPair.Invalid e) {
            reject(digest, dir, e.getMessage());
            return;
        }
        TlsConfiguration tls = registry.get(TLS_CONFIGURATION).orElseThrow();
        if (tls.reload()) {
            updated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, tls));
        }
        served = pair;
        servedDigest = digest;
        rejectedDigest = null;
        LOG.infof("serving the new certificate %s from %s, valid until %s",
                pair.certificate().getSubjectX500Principal().getName(), dir, pair.notAfter());
    }

    private void reject(byte[] digest, Path dir, String reason) {
        if (digest != null && Arrays.equals(digest, rejectedDigest)) {
            return;
        }
        rejectedDigest = digest;
        failures.increment();
        LOG.errorf("refused the changed key pair in %s, still serving the previous certificate (valid until %s): %s",
                dir, served.notAfter(), reason);
    }

    ServingKeyPair served() {
        return served;
    }

    private static byte[][] read(Path dir) throws IOException {
        return new byte[][] {Files.readAllBytes(dir.resolve("tls.crt")), Files.readAllBytes(dir.resolve("tls.key"))};
    }

    private static byte[] digest(byte[][] files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(files[0]);
            sha.update(new byte[] {0});
            sha.update(files[1]);
            return sha.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
