package io.egressguard.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.ObjectDecoder;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides one AdmissionReview. The engine runs on the state before and after the change, on the objects the
 * change can affect: in enforce mode only errors the change introduces deny; errors that already existed
 * are warned, never block an unrelated update. DELETE is never denied; it warns about what it breaks.
 */
@ApplicationScoped
public class AdmissionHandler {

    private static final Logger LOG = Logger.getLogger("io.egressguard.admission");
    static final String API_VERSION = "admission.k8s.io/v1";
    static final int MAX_WARNING = 120;

    /** The HTTP status and JSON body of an answer. */
    public record Reply(int status, String body) {
    }

    /** A body that is not an AdmissionReview: answered with HTTP 400. */
    static final class BadReview extends Exception {
        BadReview(String message) {
            super(message);
        }
    }

    @Inject
    WebhookConfig config;

    @Inject
    ClusterStateProvider states;

    @Inject
    MeterRegistry metrics;

    private final ObjectMapper json = new ObjectMapper();
    /** What this process admitted and the informers have not delivered yet (see {@link RecentAdmissions}). */
    private final RecentAdmissions recent = new RecentAdmissions(java.time.Duration.ofSeconds(5));
    private Engine engine;

    @PostConstruct
    void init() {
        engine = new Engine(EngineConfig.defaults().withOverrides(config.severities().orElse(List.of())));
    }

    public Reply handle(byte[] body) {
        Timer.Sample timer = Timer.start(metrics);
        String kind = "unknown";
        String operation = "unknown";
        String decision = "invalid";
        try {
            JsonNode request = request(body);
            kind = request.path("kind").path("kind").asText("unknown");
            operation = request.path("operation").asText("unknown");
            Decision d = decide(request);
            decision = d.outcome();
            return new Reply(200, d.toReview(json));
        } catch (BadReview e) {
            LOG.infof("rejected request: %s", e.getMessage());
            return new Reply(400, error(e.getMessage()));
        } catch (RuntimeException e) {
            // A bug must not become a 500 with a stack trace: the review is answered, the cause logged in one line.
            LOG.errorf("internal error while deciding a review: %s", e.toString());
            decision = "error";
            return new Reply(400, error("egress-guard could not process this review: " + e.getClass().getSimpleName()));
        } finally {
            timer.stop(metrics.timer("egress_guard_review_seconds", "kind", kind, "operation", operation));
            metrics.counter("egress_guard_reviews_total", "kind", kind, "operation", operation, "decision", decision)
                    .increment();
        }
    }

    private JsonNode request(byte[] body) throws BadReview {
        if (body == null || body.length == 0) {
            throw new BadReview("empty body: expected an admission.k8s.io/v1 AdmissionReview");
        }
        if (body.length > config.maxBodyBytes()) {
            throw new BadReview("body of " + body.length + " bytes exceeds the limit of " + config.maxBodyBytes());
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (java.io.IOException e) {
            throw new BadReview("malformed JSON: " + ObjectDecoder.describeJson(e));
        }
        if (root == null || !root.isObject()) {
            throw new BadReview("expected a JSON object (an AdmissionReview)");
        }
        if (!API_VERSION.equals(root.path("apiVersion").asText()) || !"AdmissionReview".equals(root.path("kind").asText())) {
            throw new BadReview("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got '"
                    + root.path("apiVersion").asText() + "' '" + root.path("kind").asText() + "'");
        }
        JsonNode request = root.get("request");
        if (request == null || !request.isObject()) {
            throw new BadReview("the AdmissionReview has no request");
        }
        if (request.path("uid").asText("").isEmpty()) {
            throw new BadReview("request.uid is missing");
        }
        return request;
    }

    private Decision decide(JsonNode request) {
        String uid = request.get("uid").asText();
        String operation = request.path("operation").asText("");
        JsonNode k = request.path("kind");
        String group = k.path("group").asText("");
        String apiVersion = (group.isEmpty() ? "" : group + "/") + k.path("version").asText("");
        Kind kind = Kind.of(apiVersion, k.path("kind").asText("")).orElse(null);
        String namespace = request.path("namespace").asText("");
        String name = request.path("name").asText("");
        if (kind == null || operation.equals("CONNECT")) {
            return Decision.allow(uid, "ignored", null);
        }
        boolean delete = operation.equals("DELETE");
        JsonNode object = delete ? request.get("oldObject") : request.get("object");
        Resource resource = null;
        if (object != null && !object.isNull()) {
            try {
                Map<?, ?> map = json.convertValue(object, Map.class);
                var decoded = ObjectDecoder.decode(kind, map);
                if (kind.namespaced() && (decoded.getMetadata().getNamespace() == null
                        || decoded.getMetadata().getNamespace().isEmpty())) {
                    decoded.getMetadata().setNamespace(namespace);
                }
                ObjectRef ref = new ObjectRef(kind, kind.namespaced() ? decoded.getMetadata().getNamespace() : null,
                        decoded.getMetadata().getName());
                resource = new Resource(ref, decoded, Resource.Origin.of("admission"), Long.MAX_VALUE);
            } catch (ObjectDecoder.DecodeException | IllegalArgumentException e) {
                return Decision.invalid(uid, "request." + (delete ? "oldObject" : "object") + ": " + e.getMessage());
            }
        } else if (!delete) {
            return Decision.invalid(uid, "request.object is missing");
        }
        ObjectRef ref = resource != null ? resource.ref() : new ObjectRef(kind, kind.namespaced() ? namespace : null, name);
        if (ref.name() == null || ref.name().isEmpty()) {
            return Decision.invalid(uid, "request.name is missing");
        }

        ClusterState state = states.state();
        if (!state.ready()) {
            // Never judge on a partial view: let the change through with a warning (the readiness probe keeps
            // the API server from sending here while not ready; this covers the race).
            return Decision.allow(uid, "not-ready", List.of("egress-guard: cluster state not synced yet, not checked"));
        }
        boolean live = state instanceof InformerClusterState;
        MeshSnapshot before = live ? recent.overlay(state.snapshot()) : state.snapshot();
        if (ignoredNamespace(before, ref)) {
            return Decision.allow(uid, "ignored", null);
        }
        ChangeCheck.Result change = ChangeCheck.of(engine, before, ref, delete ? null : resource);

        List<Finding> denying = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Finding> reported = new ArrayList<>();
        for (Finding f : change.after()) {
            boolean introduced = change.introduced(f);
            boolean onObject = f.object().equals(ref);
            if (!onObject && !introduced) {
                continue; // an old problem elsewhere: not this change's business
            }
            reported.add(f);
            metrics.counter("egress_guard_findings_total", "code", f.code(), "severity", f.severity().label()).increment();
            if (f.severity() == Severity.ERROR && introduced && !delete && config.mode() == WebhookConfig.Mode.ENFORCE) {
                denying.add(f);
            } else if (f.severity() != Severity.INFO && config.mode() != WebhookConfig.Mode.AUDIT) {
                warnings.add(warning(f));
            }
        }
        String codes = String.join(",", reported.stream().map(Finding::code).distinct().toList());
        Decision d = denying.isEmpty() ? Decision.allow(uid, reported.isEmpty() ? "allowed" : "warned", warnings)
                : Decision.deny(uid, denying, warnings);
        if (live && d.allowed() && !request.path("dryRun").asBoolean(false)) {
            recent.admitted(before, ref, delete ? null : resource);
        }
        LOG.infof("review uid=%s kind=%s object=%s operation=%s dryRun=%s decision=%s codes=%s", uid, kind.kindName(),
                ref.namespace().isEmpty() ? ref.name() : ref.namespace() + "/" + ref.name(), operation,
                request.path("dryRun").asBoolean(false), d.outcome(), codes.isEmpty() ? "-" : codes);
        return d;
    }

    private static boolean ignoredNamespace(MeshSnapshot s, ObjectRef ref) {
        String ns = ref.kind() == Kind.NAMESPACE ? ref.name() : ref.namespace();
        return s.namespaceLabels(ns).map(l -> "true".equals(l.get(EngineConfig.IGNORE_NAMESPACE_LABEL))).orElse(false);
    }

    /** {@code EG201 VirtualService default/x: message}, cut to 120 characters. */
    static String warning(Finding f) {
        String line = f.warningLine();
        return line.length() <= MAX_WARNING ? line : line.substring(0, MAX_WARNING - 3) + "...";
    }

    private String error(String message) {
        ObjectNode n = json.createObjectNode();
        n.put("kind", "Status");
        n.put("apiVersion", "v1");
        n.put("status", "Failure");
        n.put("code", 400);
        n.put("message", message);
        return n.toString();
    }

    /** The answer to one review. */
    record Decision(String uid, boolean allowed, int code, String message, List<String> warnings, String outcome) {

        static Decision allow(String uid, String outcome, List<String> warnings) {
            return new Decision(uid, true, 0, null, warnings == null ? List.of() : warnings, outcome);
        }

        static Decision deny(String uid, List<Finding> errors, List<String> warnings) {
            StringBuilder sb = new StringBuilder("egress-guard denied this change: ");
            for (int i = 0; i < errors.size(); i++) {
                Finding f = errors.get(i);
                sb.append(i == 0 ? "" : "; ").append(f.code()).append(' ').append(f.object()).append(' ')
                        .append(f.path()).append(": ").append(f.message());
            }
            return new Decision(uid, false, 403, sb.toString(), warnings, "denied");
        }

        static Decision invalid(String uid, String message) {
            return new Decision(uid, false, 400, "egress-guard cannot read the object: " + message, List.of(), "invalid");
        }

        String toReview(ObjectMapper json) {
            ObjectNode review = json.createObjectNode();
            review.put("apiVersion", API_VERSION);
            review.put("kind", "AdmissionReview");
            ObjectNode response = review.putObject("response");
            response.put("uid", uid);
            response.put("allowed", allowed);
            if (!allowed) {
                ObjectNode status = response.putObject("status");
                status.put("code", code);
                status.put("message", message);
                status.put("reason", code == 403 ? "Forbidden" : "BadRequest");
            }
            if (!warnings.isEmpty()) {
                ArrayNode w = response.putArray("warnings");
                warnings.forEach(w::add);
            }
            try {
                return json.writeValueAsString(review);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
