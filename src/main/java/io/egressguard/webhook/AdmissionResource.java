package io.egressguard.webhook;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /validate}: the ValidatingAdmissionWebhook endpoint (admission.k8s.io/v1). Before this runs,
 * {@link InFlightReviews} has claimed room for the review (or answered 429) and the HTTP layer has read the whole
 * body on the event loop, refusing more than {@code quarkus.http.limits.max-body-size}: 413 for a larger declared
 * length, before any of it is read; the connection closed once an undeclared one goes past it.
 *
 * <p>A review of at most {@value InFlightReviews#SMALL_KIB} KiB (nearly every one: an Istio object is a few KiB) is
 * decided right there, on the event loop: it is tens of microseconds of CPU with no I/O, and handing it to a worker
 * thread and back cost more than deciding it (a change that builds the state again, a Sidecar in a mesh of 21,000
 * objects, takes some tens of milliseconds). A larger one is decided on a worker thread, so that decoding a
 * megabyte object never holds up the other connections of its event loop.
 */
@Path("/validate")
public class AdmissionResource {

    static final int EVENT_LOOP_BYTES = InFlightReviews.SMALL_KIB * 1024;

    @Inject
    AdmissionHandler handler;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> validate(byte[] bytes) {
        if (bytes == null || bytes.length <= EVENT_LOOP_BYTES) {
            return Uni.createFrom().item(answer(bytes));
        }
        return Uni.createFrom().item(() -> answer(bytes)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Response answer(byte[] bytes) {
        AdmissionHandler.Reply reply = handler.handle(bytes);
        return Response.status(reply.status()).entity(reply.body()).type(MediaType.APPLICATION_JSON).build();
    }
}
