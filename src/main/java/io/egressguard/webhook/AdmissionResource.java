package io.egressguard.webhook;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.smallrye.common.annotation.Blocking;

/** {@code POST /validate}: the ValidatingAdmissionWebhook endpoint (admission.k8s.io/v1). */
@Path("/validate")
public class AdmissionResource {

    @Inject
    AdmissionHandler handler;

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response validate(byte[] body) {
        AdmissionHandler.Reply reply = handler.handle(body);
        return Response.status(reply.status()).entity(reply.body()).type(MediaType.APPLICATION_JSON).build();
    }
}
