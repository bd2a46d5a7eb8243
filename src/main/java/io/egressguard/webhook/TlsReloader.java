package io.egressguard.webhook;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves a rotated key pair without a restart, and only when it was rotated: every
 * {@code egress-guard.tls.reload-period} the contents of {@code tls.crt} and {@code tls.key} are compared with
 * the ones served; when they differ, the TLS configuration {@code admission} is reloaded, the HTTPS server
 * takes it, and one line is logged. (Quarkus' own {@code reload-period} reloads and logs on every period,
 * changed or not.)
 */
@ApplicationScoped
public class TlsReloader {

    static final String CONFIGURATION = "admission";
    private static final Logger LOG = Logger.getLogger(TlsReloader.class);

    @Inject
    WebhookConfig config;

    @Inject
    TlsConfigurationRegistry registry;

    @Inject
    Event<CertificateUpdatedEvent> updated;

    private ScheduledExecutorService scheduler;
    private byte[] served;

    void start(@Observes StartupEvent event) {
        long every = config.tls().reloadPeriod().toMillis();
        Optional<TlsConfiguration> tls = registry.get(CONFIGURATION);
        if (every <= 0 || tls.isEmpty()) {
            return;
        }
        served = fingerprint(dir()).orElse(null);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egress-guard-tls-reload");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> check(tls.get()), every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private Path dir() {
        return Path.of(config.tls().dir());
    }

    /** Reloads when the files changed since they were last served; returns whether it did. */
    synchronized boolean check(TlsConfiguration tls) {
        try {
            Optional<byte[]> now = fingerprint(dir());
            if (now.isEmpty() || Arrays.equals(now.get(), served)) {
                return false; // unchanged, or half-written (a file missing): look again next period
            }
            if (!tls.reload()) {
                LOG.warnf("TLS key pair in %s changed but could not be loaded; still serving the previous one", dir());
                return false;
            }
            updated.fire(new CertificateUpdatedEvent(CONFIGURATION, tls));
            served = now.get();
            LOG.infof("TLS key pair in %s changed: now serving %s", dir(), describe(dir().resolve("tls.crt")));
            return true;
        } catch (RuntimeException e) {
            LOG.warnf(e, "TLS key pair in %s could not be reloaded", dir());
            return false;
        }
    }

    /** A digest of tls.crt and tls.key, empty while one of them cannot be read. */
    static Optional<byte[]> fingerprint(Path dir) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String f : new String[] {"tls.crt", "tls.key"}) {
                byte[] bytes = Files.readAllBytes(dir.resolve(f));
                md.update(Integer.toString(bytes.length).getBytes());
                md.update(bytes);
            }
            return Optional.of(md.digest());
        } catch (IOException e) {
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String describe(Path crt) {
        try (InputStream in = Files.newInputStream(crt)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return "certificate " + c.getSubjectX500Principal().getName() + ", valid until " + c.getNotAfter().toInstant();
        } catch (Exception e) {
            return "the new certificate";
        }
    }
}
