package io.egressguard.webhook;

import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST /validate}: the ValidatingAdmissionWebhook endpoint (admission.k8s.io/v1). The body is streamed,
 * read only once the review has room among those in flight, and never beyond the largest accepted size (the
 * HTTP layer already refuses a larger declared length with 413). A body refused before it was read to its end
 * closes the connection, so that the rest of it is not received for nothing.
 */
@Path("/validate")
public class AdmissionResource {

    @Inject
    AdmissionHandler handler;

    @Inject
    InFlightReviews inFlight;

    @Inject
    WebhookConfig config;

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response validate(@HeaderParam(HttpHeaders.CONTENT_LENGTH) Long contentLength, InputStream body) {
        int claim = inFlight.claim(contentLength);
        if (!inFlight.enter(claim)) {
            handler.counter("egress_guard_reviews_total", "kind", "unknown", "operation", "unknown", "decision", "busy")
                    .increment();
            return json(429, AdmissionHandler.status(429, "egress-guard is busy: too many reviews in flight, retry"))
                    .header("Retry-After", "1").header("Connection", "close").build();
        }
        try {
            byte[] bytes;
            try {
                bytes = body.readNBytes(config.maxBodyBytes() + 1);
            } catch (IOException | RuntimeException e) {
                return json(400, AdmissionHandler.status(400, "cannot read the body: " + e.getClass().getSimpleName()))
                        .build();
            }
            AdmissionHandler.Reply reply = handler.handle(bytes);
            Response.ResponseBuilder answer = json(reply.status(), reply.body());
            // A body refused unread (or only partly read) is not read to its end: the connection is closed.
            return (bytes.length > config.maxBodyBytes() ? answer.header("Connection", "close") : answer).build();
        } finally {
            inFlight.leave(claim);
        }
    }

    private static Response.ResponseBuilder json(int status, String body) {
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON);
    }
}
