package io.egressguard.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.report.ReportFormat;
import io.quarkus.vertx.http.ManagementInterface;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /q/audit} on the management interface (not on the admission port): the latest audit as JSON,
 * the same document as {@code check -o json} plus when it ran. 503 until the first audit has run.
 */
@ApplicationScoped
public class AuditRoute {

    @Inject
    AuditService audits;

    private final ObjectMapper json = new ObjectMapper();

    void register(@Observes ManagementInterface management) {
        management.router().get("/q/audit").handler(ctx -> {
            var latest = audits.latest();
            if (latest.isEmpty()) {
                ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
                        .end("{\"message\":\"no audit has run yet (the cluster state may not be synced)\"}");
                return;
            }
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("time", latest.get().time().toString());
                body.put("durationMillis", latest.get().durationMillis());
                body.putAll(ReportFormat.document(latest.get().report()));
                ctx.response().putHeader("Content-Type", "application/json").end(json.writeValueAsString(body));
            } catch (Exception e) {
                ctx.response().setStatusCode(500).end("{\"message\":\"cannot render the audit\"}");
            }
        });
    }
}
