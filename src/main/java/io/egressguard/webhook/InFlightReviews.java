package io.egressguard.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.concurrent.Semaphore;

/**
 * The bytes of review bodies being read and decided at once, bounded by {@code egress-guard.in-flight-bytes}.
 * Each {@code POST /validate} claims its declared length (the largest body when none is declared) in KiB on the
 * event loop, as soon as its headers are in and before any of its body is read; what does not fit at once is
 * answered 429 there and its connection closed, so that a flood of large reviews neither exhausts the heap nor
 * keeps streaming bodies nobody will read. Reviews of at most {@value #SMALL_KIB} KiB (nearly all of them: an
 * Istio object is a few KiB) have a lane of their own ({@value #SMALL_LANE_KIB} KiB), so large ones never crowd
 * them out. The claim is given back when the answer has been sent or the connection is gone.
 */
@ApplicationScoped
public class InFlightReviews {

    static final int SMALL_KIB = 64;
    static final int SMALL_LANE_KIB = 8192;

    @Inject
    WebhookConfig config;

    @Inject
    MeterRegistry metrics;

    private final Semaphore small = new Semaphore(SMALL_LANE_KIB);
    private volatile Semaphore large;

    /**
     * Runs after the HTTP layer's body-size check (413 for a declared length over the limit) and before the
     * admission resource, whose body is read only once its claim is held.
     */
    void register(@Observes Router router) {
        router.post("/validate").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::admit);
    }

    void admit(RoutingContext ctx) {
        int claim = claim(declaredLength(ctx.request()));
        if (!enter(claim)) {
            metrics.counter("egress_guard_reviews_total", "kind", "unknown", "operation", "unknown", "decision", "busy")
                    .increment();
            refuse(ctx);
            return;
        }
        ctx.addEndHandler(done -> leave(claim));
        ctx.next();
    }

    /**
     * 429 without reading the body. Over HTTP/1.1 the connection is closed once the answer is written: the client
     * would otherwise go on sending a body that has to be received, decrypted and thrown away, and a connection
     * whose request is not read to its end cannot carry another one anyway. Over HTTP/2 only the stream is
     * reset (NO_ERROR after a complete answer, as RFC 9113 8.1 allows), since the connection may carry other
     * reviews.
     */
    private static void refuse(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response().setStatusCode(429)
                .putHeader("Content-Type", "application/json").putHeader("Retry-After", "1");
        String body = AdmissionHandler.status(429, "egress-guard is busy: too many reviews in flight, retry");
        if (request.version() == HttpVersion.HTTP_2) {
            response.end(body).onComplete(sent -> response.reset(0));
        } else {
            response.putHeader("Connection", "close").end(body).onComplete(sent -> request.connection().close());
        }
    }

    /** The Content-Length of the request, null when there is none or it is not a number. */
    static Long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length == null) {
            return null;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

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

    /** Claims room for a review now, never waiting (it runs on the event loop); false when there is none. */
    boolean enter(int claim) {
        return lane(claim).tryAcquire(claim);
    }

    void leave(int claim) {
        lane(claim).release(claim);
    }
}
