package io.egressguard.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bytes of review bodies being read and decided at once, bounded by {@code egress-guard.in-flight-bytes}.
 * Each review claims its declared length (the largest body when none is declared) in KiB before its body is
 * read; what does not fit in a quarter second is turned away (HTTP 429), so that a flood of large reviews
 * does not exhaust the heap. Reviews of at most {@value #SMALL_KIB} KiB (nearly all of them: an Istio object
 * is a few KiB) have a lane of their own ({@value #SMALL_LANE_KIB} KiB), so large ones never crowd them out.
 */
@ApplicationScoped
public class InFlightReviews {

    static final long WAIT_MILLIS = 250;
    static final int SMALL_KIB = 64;
    static final int SMALL_LANE_KIB = 8192;

    @Inject
    WebhookConfig config;

    private final Semaphore small = new Semaphore(SMALL_LANE_KIB);
    private volatile Semaphore large;

    private Semaphore lane(int claim) {
        if (claim <= SMALL_KIB) {
            return small;
        }
        Semaphore s = large;
        if (s == null) {
            synchronized (this) {
                if (large == null) {
                    large = new Semaphore(Math.max(1, config.inFlightBytes() / 1024));
                }
                s = large;
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
            return lane(claim).tryAcquire(claim, WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void leave(int claim) {
        lane(claim).release(claim);
    }
}
