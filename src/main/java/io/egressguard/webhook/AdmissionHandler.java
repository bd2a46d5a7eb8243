package io.egressguard.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.ObjectDecoder;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers one AdmissionReview: reads the body (not an AdmissionReview: HTTP 400), gathers the facts
 * {@link AdmissionDecision} decides on, and answers an internal error with HTTP 500 so that the webhook's
 * failurePolicy decides. The engine runs on the state before and after the change, on the objects the
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
    /**
     * The meters of reviews, by their labels. Labels come from fixed sets (kinds, operations, decisions, finding
     * codes), so each meter is looked up in the registry once rather than on every review.
     */
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
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
            kind = kindLabel(request.path("kind"));
            operation = operationLabel(request.path("operation").asText(""));
            AdmissionDecision.Answer a = decide(request);
            decision = a.outcome();
            return new Reply(200, a.toReview(json));
        } catch (BadReview e) {
            LOG.infof("rejected request: %s", LogText.of(e.getMessage()));
            return new Reply(400, status(400, e.getMessage()));
        } catch (RuntimeException e) {
            // Not the caller's fault: a 500 (no stack trace) and the webhook's failurePolicy decides.
            LOG.errorf("internal error while deciding a review: %s", LogText.of(e.toString()));
            decision = "error";
            return new Reply(500, status(500, "egress-guard could not process this review: internal error ("
                    + e.getClass().getSimpleName() + ")"));
        } finally {
            timer.stop(timers.computeIfAbsent(List.of(kind, operation),
                    k -> metrics.timer("egress_guard_review_seconds", "kind", k.get(0), "operation", k.get(1))));
            counter("egress_guard_reviews_total", "kind", kind, "operation", operation, "decision", decision).increment();
        }
    }

    /** The counter {@code name} with these label names and values (alternating). */
    Counter counter(String name, String... labels) {
        List<String> key = new ArrayList<>(labels.length + 1);
        key.add(name);
        key.addAll(Arrays.asList(labels));
        return counters.computeIfAbsent(key, k -> metrics.counter(name, labels));
    }

    static final java.util.Set<String> OPERATIONS = java.util.Set.of("CREATE", "UPDATE", "DELETE", "CONNECT");

    /**
     * Metric labels come from fixed sets, never from the request as sent: a kind egress-guard reads, or
     * {@code other}; an admission operation, or {@code other}.
     */
    static String kindLabel(JsonNode k) {
        String group = k.path("group").asText("");
        String apiVersion = (group.isEmpty() ? "" : group + "/") + k.path("version").asText("");
        return Kind.of(apiVersion, k.path("kind").asText("")).map(Kind::kindName).orElse("other");
    }

    static String operationLabel(String operation) {
        return OPERATIONS.contains(operation) ? operation : "other";
    }

    private JsonNode request(byte[] body) throws BadReview {
        if (body == null || body.length == 0) {
            throw new BadReview("empty body: expected an admission.k8s.io/v1 AdmissionReview");
        }
        if (body.length > config.maxBodyBytes()) {
            throw new BadReview("body of " + body.length + " bytes exceeds the limit of " + config.maxBodyBytes());
        }
        JsonNode root;
        try (JsonParser p = json.createParser(body)) {
            root = p.nextToken() == JsonToken.START_OBJECT ? members(p, Level.REVIEW) : json.readTree(p);
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

    /** Where {@link #members} is in the review: what it leaves out depends on it. */
    private enum Level { REVIEW, REQUEST, OBJECT, METADATA }

    /**
     * The members of the JSON object the parser is in, as a tree, less what no check reads:
     * <ul>
     * <li>{@code request.oldObject} of an operation other than DELETE: only a DELETE reads it (the state before a
     * change is the cluster's, not the request's), and in an UPDATE it is as large as the object;</li>
     * <li>{@code metadata.managedFields} of the request's objects: the API server sends them with every object,
     * one entry per field manager, each a map of every field it set (often larger than the spec).</li>
     * </ul>
     * What is left out is still read through, so malformed JSON anywhere is an error.
     */
    private ObjectNode members(JsonParser p, Level level) throws java.io.IOException {
        ObjectNode node = json.createObjectNode();
        String operation = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            Level inside = value != JsonToken.START_OBJECT ? null : switch (level) {
                case REVIEW -> name.equals("request") ? Level.REQUEST : null;
                case REQUEST -> name.equals("object") || name.equals("oldObject") ? Level.OBJECT : null;
                case OBJECT -> name.equals("metadata") ? Level.METADATA : null;
                case METADATA -> null;
            };
            if (level == Level.REQUEST && name.equals("oldObject") && operation != null && !operation.equals("DELETE")
                    || level == Level.METADATA && name.equals("managedFields")) {
                p.skipChildren();
                node.remove(name);
            } else if (inside != null) {
                node.set(name, members(p, inside));
            } else {
                // a string needs no deserialization context, which readTree creates for every value
                JsonNode v = value == JsonToken.VALUE_STRING ? json.getNodeFactory().textNode(p.getText()) : json.readTree(p);
                node.set(name, v);
                if (level == Level.REQUEST && name.equals("operation")) {
                    operation = v.asText("");
                }
            }
        }
        return node;
    }

    private AdmissionDecision.Answer decide(JsonNode request) {
        String uid = request.get("uid").asText();
        String operation = request.path("operation").asText("");
        JsonNode k = request.path("kind");
        String group = k.path("group").asText("");
        String apiVersion = (group.isEmpty() ? "" : group + "/") + k.path("version").asText("");
        Kind kind = Kind.of(apiVersion, k.path("kind").asText("")).orElse(null);
        boolean judged = kind != null && !operation.equals("CONNECT");
        boolean delete = operation.equals("DELETE");
        ClusterState state = judged ? states.state() : null;
        boolean live = state instanceof InformerClusterState;
        MeshSnapshot before = state != null && state.ready()
                ? (live ? recent.overlay(state.snapshot()) : state.snapshot()) : null;
        boolean ignored = before != null && ignoredNamespace(before, kind, request, delete);

        Resource resource = null;
        String unreadable = null;
        List<AdmissionDecision.Judged> findings = new ArrayList<>();
        ObjectRef ref = null;
        if (judged && !ignored) {
            JsonNode object = delete ? request.get("oldObject") : request.get("object");
            String field = "request." + (delete ? "oldObject" : "object");
            if (object != null && !object.isNull()) {
                try {
                    resource = resource(kind, object, request.path("namespace").asText(""));
                } catch (ObjectDecoder.DecodeException | IllegalArgumentException e) {
                    unreadable = field + ": " + e.getMessage();
                }
            } else if (!delete) {
                unreadable = field + " is missing";
            }
            if (unreadable == null) {
                ref = resource != null ? resource.ref()
                        : new ObjectRef(kind, kind.namespaced() ? request.path("namespace").asText("") : null,
                                request.path("name").asText(""));
                if (ref.name() == null || ref.name().isEmpty()) {
                    unreadable = "request.name is missing";
                }
            }
            if (unreadable == null && before != null) {
                ChangeCheck.Result change = ChangeCheck.of(engine, before, ref, delete ? null : resource);
                for (Finding f : change.after()) {
                    findings.add(new AdmissionDecision.Judged(f, change.introduced(f), f.object().equals(ref)));
                }
            }
        }
        AdmissionDecision.Outcome o = AdmissionDecision.decide(uid, new AdmissionDecision.Facts(config.mode(),
                operation, judged, ignored, unreadable, before != null, findings));
        if (live && before != null && ref != null && unreadable == null && o.answer().allowed()
                && !request.path("dryRun").asBoolean(false)) {
            recent.admitted(before, ref, delete ? null : resource);
        }
        for (Finding f : o.reported()) {
            counter("egress_guard_findings_total", "code", f.code(), "severity", f.severity().label()).increment();
        }
        // Denials and warnings are logged; a plain allow only at debug level: it is counted in
        // egress_guard_reviews_total, and a line per allowed review would cost more than the review.
        if (judged && (!o.reported().isEmpty() || !o.answer().allowed() || unreadable != null || LOG.isDebugEnabled())) {
            String codes = String.join(",", o.reported().stream().map(Finding::code).distinct().toList());
            String object = ref == null ? request.path("namespace").asText("") + "/" + request.path("name").asText("")
                    : ref.namespace().isEmpty() ? ref.name() : ref.namespace() + "/" + ref.name();
            // written out rather than through a printf format: a warned review is logged every time it is sent
            LOG.log(o.reported().isEmpty() && o.answer().allowed() && unreadable == null
                    ? org.jboss.logging.Logger.Level.DEBUG : org.jboss.logging.Logger.Level.INFO,
                    "review uid=" + LogText.of(uid) + " kind=" + kind.kindName() + " object=" + LogText.of(object)
                    + " operation=" + LogText.of(operation) + " dryRun=" + request.path("dryRun").asBoolean(false)
                    + " decision=" + o.answer().outcome() + " codes=" + (codes.isEmpty() ? "-" : codes)
                    + (unreadable == null ? "" : " reason=" + LogText.of(unreadable)));
        }
        return o.answer();
    }

    private Resource resource(Kind kind, JsonNode object, String namespace) throws ObjectDecoder.DecodeException {
        var decoded = ObjectDecoder.decode(kind, object);
        if (kind.namespaced() && (decoded.getMetadata().getNamespace() == null
                || decoded.getMetadata().getNamespace().isEmpty())) {
            decoded.getMetadata().setNamespace(namespace);
        }
        ObjectRef ref = new ObjectRef(kind, kind.namespaced() ? decoded.getMetadata().getNamespace() : null,
                decoded.getMetadata().getName());
        return new Resource(ref, decoded, Resource.Origin.of("admission"), Long.MAX_VALUE);
    }

    /**
     * Whether the namespace is labelled {@code egress-guard.io/ignore=true}, read from the request before the
     * object is decoded: {@code request.namespace} (for a Namespace, {@code request.name}), else the raw object's
     * metadata.
     */
    private static boolean ignoredNamespace(MeshSnapshot s, Kind kind, JsonNode request, boolean delete) {
        JsonNode metadata = request.path(delete ? "oldObject" : "object").path("metadata");
        String ns = kind == Kind.NAMESPACE
                ? first(request.path("name").asText(""), metadata.path("name").asText(""))
                : first(request.path("namespace").asText(""), metadata.path("namespace").asText(""));
        return !ns.isEmpty() && s.namespaceLabels(ns)
                .map(l -> "true".equals(l.get(EngineConfig.IGNORE_NAMESPACE_LABEL))).orElse(false);
    }

    private static String first(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    static String status(int code, String message) {
        ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        n.put("kind", "Status");
        n.put("apiVersion", "v1");
        n.put("status", "Failure");
        n.put("code", code);
        n.put("message", message);
        return n.toString();
    }
}
