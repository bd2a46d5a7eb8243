package io.egressguard.webhook;

import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /validate}: the ValidatingAdmissionWebhook endpoint (admission.k8s.io/v1). Before this runs,
 * {@link InFlightReviews} has claimed room for the review (or answered 429) and the HTTP layer has read the body,
 * refusing more than {@code quarkus.http.limits.max-body-size}: 413 for a larger declared length, before any of
 * it is read; the connection closed once an undeclared one goes past it. A body up to
 * {@code quarkus.rest.input-buffer-size} (nearly every review) is read on the event loop and the review handed to a
 * worker thread once complete, so that no worker waits for the bytes of a body still on its way.
 */
@Path("/validate")
public class AdmissionResource {

    @Inject
    AdmissionHandler handler;

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response validate(byte[] bytes) {
        AdmissionHandler.Reply reply = handler.handle(bytes);
        return json(reply.status(), reply.body()).build();
    }

    private static Response.ResponseBuilder json(int status, String body) {
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON);
    }
}
