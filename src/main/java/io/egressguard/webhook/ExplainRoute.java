package io.egressguard.webhook;

import io.egressguard.explain.TraceFormat;
import io.egressguard.explain.TraceRequest;
import io.egressguard.explain.Tracer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.webhook.ClusterState;
import io.egressguard.webhook.ClusterStateProvider;
import io.egressguard.webhook.LogText;
import io.egressguard.webhook.WebhookConfig;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /explain?from=NAMESPACE[/labels]&to=HOST[:PORT][&protocol=http|tls]} on the management interface
 * (never on the admission port): the path of a request through the webhook's current cluster state, as JSON
 * (the document of {@code explain -o json}). Read-only. 400 on missing or bad parameters, 503 while the state
 * is not synced.
 */
@ApplicationScoped
public class ExplainRoute {

    private static final Logger LOG = Logger.getLogger(ExplainRoute.class);

    @Inject
    ClusterStateProvider states;

    @Inject
    WebhookConfig config;

    private final ObjectMapper json = new ObjectMapper();

    /** The findings of the latest snapshot explained: snapshots are immutable, so they stay valid for it. */
    private record Checked(MeshSnapshot snapshot, List<Finding> findings) {
    }

    private volatile Checked checked;

    void register(@Observes ManagementInterface management) {
        management.router().get("/explain").blockingHandler(this::explain);
    }

    private void explain(RoutingContext ctx) {
        TraceRequest request;
        try {
            request = TraceRequest.parse(param(ctx, "from"), param(ctx, "to"), param(ctx, "protocol"), "");
        } catch (IllegalArgumentException e) {
            reply(ctx, 400, Map.of("message", e.getMessage()));
            return;
        }
        ClusterState state = states.state();
        if (!state.ready()) {
            reply(ctx, 503, Map.of("message", "the cluster state is not synced yet"));
            return;
        }
        try {
            MeshSnapshot snapshot = state.snapshot();
            Checked c = checked;
            if (c == null || c.snapshot() != snapshot) {
                Engine engine = new Engine(EngineConfig.defaults().withOverrides(config.severities().orElse(List.of())));
                c = new Checked(snapshot, engine.check(snapshot));
                checked = c;
            }
            reply(ctx, 200, TraceFormat.document(new Tracer(snapshot, c.findings()).trace(request)));
        } catch (RuntimeException e) {
            LOG.errorf("explain %s failed: %s", LogText.of(String.valueOf(request)), e.toString());
            reply(ctx, 500, Map.of("message", "cannot trace the request"));
        }
    }

    private static String param(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        return values.isEmpty() ? null : values.get(0);
    }

    private void reply(RoutingContext ctx, int status, Object body) {
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (Exception e) {
            status = 500;
            text = "{\"message\":\"cannot render the trace\"}";
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
    }
}
