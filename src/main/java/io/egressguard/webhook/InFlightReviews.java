package io.egressguard.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bytes of review bodies being read and decided at once, bounded by {@code egress-guard.in-flight-bytes}.
 * Each review claims its declared length (the largest body when none is declared) in KiB before its body is
 * read; what does not fit in a quarter second is turned away (HTTP 429), so that a flood of large reviews
 * neither exhausts the heap nor delays ordinary ones for long.
 */
@ApplicationScoped
public class InFlightReviews {

    static final long WAIT_MILLIS = 250;

    @Inject
    WebhookConfig config;

    private volatile Semaphore kib;

    private Semaphore kib() {
        Semaphore s = kib;
        if (s == null) {
            synchronized (this) {
                if (kib == null) {
                    kib = new Semaphore(Math.max(1, config.inFlightBytes() / 1024));
                }
                s = kib;
            }
        }
        return s;
    }

    /** The KiB a review of this declared length claims (null or negative: undeclared). */
    int claim(Long contentLength) {
        long max = config.maxBodyBytes();
        long bytes = contentLength == null || contentLength < 0 || contentLength > max ? max : contentLength;
        int total = Math.max(1, config.inFlightBytes() / 1024);
        return (int) Math.min(total, Math.max(1, (bytes + 1023) / 1024));
    }

    /** Claims room for a review; false when there was none in time. */
    boolean enter(int claim) {
        try {
            return kib().tryAcquire(claim, WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void leave(int claim) {
        kib().release(claim);
    }
}
