package io.egressguard.bench.minimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;

/** {@code POST /validate}: parses the AdmissionReview with Jackson and allows it. Nothing else. */
@Path("/validate")
public class ValidateResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public String validate(byte[] body) throws IOException {
        JsonNode review = JSON.readTree(body);
        ObjectNode out = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        out.putObject("response").put("uid", review.path("request").path("uid").asText()).put("allowed", true);
        return out.toString();
    }
}
