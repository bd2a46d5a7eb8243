package io.egressguard.webhook;

import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST /validate}: the ValidatingAdmissionWebhook endpoint (admission.k8s.io/v1). The body is streamed,
 * and never read beyond the largest accepted size; by the time this runs the HTTP layer has refused a larger
 * declared length (413) and {@link InFlightReviews} has claimed room for the review or answered 429. A body
 * refused before it was read to its end closes the connection, so that the rest of it is not received for
 * nothing.
 */
@Path("/validate")
public class AdmissionResource {

    @Inject
    AdmissionHandler handler;

    @Inject
    WebhookConfig config;

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response validate(InputStream body) {
        byte[] bytes;
        try {
            bytes = body.readNBytes(config.maxBodyBytes() + 1);
        } catch (IOException | RuntimeException e) {
            return json(400, AdmissionHandler.status(400, "cannot read the body: " + e.getClass().getSimpleName()))
                    .build();
        }
        AdmissionHandler.Reply reply = handler.handle(bytes);
        Response.ResponseBuilder answer = json(reply.status(), reply.body());
        // A body refused only partly read (undeclared and over the limit) is not read to its end: the connection
        // is closed.
        return (bytes.length > config.maxBodyBytes() ? answer.header("Connection", "close") : answer).build();
    }

    private static Response.ResponseBuilder json(int status, String body) {
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON);
    }
}
