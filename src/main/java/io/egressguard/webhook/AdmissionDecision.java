package io.egressguard.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.egressguard.model.Finding;
import io.egressguard.model.Severity;

import java.util.ArrayList;
import java.util.List;

/**
 * The admission decision as one function of what is known about a review, read top to bottom: kinds and
 * operations egress-guard does not judge, then ignored namespaces (before the object is decoded, so an
 * unreadable object in an ignored namespace is still let through), then decoding, then the findings.
 * <ul>
 * <li>DELETE is never denied: an unreadable {@code oldObject} or a finding only warns.</li>
 * <li>{@code audit} mode never denies and never warns: it only logs and counts.</li>
 * <li>{@code warn} mode turns every denial into a warning, an unreadable object included.</li>
 * <li>{@code enforce} denies an unreadable object (code 400, naming the field) and errors the change
 * introduces (code 403).</li>
 * </ul>
 * Bad bodies (HTTP 400) and internal errors (HTTP 500, the webhook's failurePolicy decides) never get here.
 */
final class AdmissionDecision {

    /** A finding after the change, whether the change brings it and whether it is on the reviewed object. */
    record Judged(Finding finding, boolean introduced, boolean onObject) {
    }

    /**
     * Everything the decision depends on.
     *
     * @param judged     false for kinds and operations egress-guard does not check (CONNECT, unknown kinds)
     * @param ignored    the namespace (or the Namespace itself) is labelled {@code egress-guard.io/ignore=true}
     * @param unreadable why the object cannot be read, naming the field; null when it was read
     * @param ready      the cluster state is synced
     * @param findings   the findings after the change (empty when not checked)
     */
    record Facts(WebhookConfig.Mode mode, String operation, boolean judged, boolean ignored, String unreadable,
            boolean ready, List<Judged> findings) {
    }

    /** The answer and the findings reported with it (for logs and metrics). */
    record Outcome(Answer answer, List<Finding> reported) {
    }

    private AdmissionDecision() {
    }

    static Outcome decide(String uid, Facts f) {
        boolean delete = "DELETE".equals(f.operation());
        boolean audit = f.mode() == WebhookConfig.Mode.AUDIT;
        if (!f.judged() || f.ignored()) {
            return new Outcome(Answer.allow(uid, "ignored", List.of()), List.of());
        }
        if (f.unreadable() != null) {
            String message = "egress-guard cannot read the object: " + f.unreadable();
            if (delete || audit || f.mode() == WebhookConfig.Mode.WARN) {
                return new Outcome(Answer.allow(uid, "unreadable", audit ? List.of() : List.of(cut(message))), List.of());
            }
            return new Outcome(new Answer(uid, false, 400, message, List.of(), "invalid"), List.of());
        }
        if (!f.ready()) {
            // Never judge on a partial view: let the change through with a warning (the readiness probe keeps
            // the API server from sending here while not ready; this covers the race).
            return new Outcome(Answer.allow(uid, "not-ready",
                    audit ? List.of() : List.of("egress-guard: cluster state not synced yet, not checked")), List.of());
        }
        List<Finding> denying = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Finding> reported = new ArrayList<>();
        for (Judged j : f.findings()) {
            Finding finding = j.finding();
            if (!j.onObject() && !j.introduced()) {
                continue; // an old problem elsewhere: not this change's business
            }
            reported.add(finding);
            if (finding.severity() == Severity.ERROR && j.introduced() && !delete
                    && f.mode() == WebhookConfig.Mode.ENFORCE) {
                denying.add(finding);
            } else if (finding.severity() != Severity.INFO && !audit) {
                warnings.add(cut(finding.warningLine()));
            }
        }
        Answer a = denying.isEmpty() ? Answer.allow(uid, reported.isEmpty() ? "allowed" : "warned", warnings)
                : Answer.deny(uid, denying, warnings);
        return new Outcome(a, reported);
    }

    /** At most 120 characters, as kubectl shows warnings best. */
    static String cut(String line) {
        return line.length() <= AdmissionHandler.MAX_WARNING ? line
                : line.substring(0, AdmissionHandler.MAX_WARNING - 3) + "...";
    }

    /** The response of one review. */
    record Answer(String uid, boolean allowed, int code, String message, List<String> warnings, String outcome) {

        static Answer allow(String uid, String outcome, List<String> warnings) {
            return new Answer(uid, true, 0, null, List.copyOf(warnings), outcome);
        }

        static Answer deny(String uid, List<Finding> errors, List<String> warnings) {
            StringBuilder sb = new StringBuilder("egress-guard denied this change: ");
            for (int i = 0; i < errors.size(); i++) {
                Finding f = errors.get(i);
                sb.append(i == 0 ? "" : "; ").append(f.code()).append(' ').append(f.object()).append(' ')
                        .append(f.path()).append(": ").append(f.message());
            }
            return new Answer(uid, false, 403, sb.toString(), List.copyOf(warnings), "denied");
        }

        String toReview(ObjectMapper json) {
            ObjectNode review = json.createObjectNode();
            review.put("apiVersion", AdmissionHandler.API_VERSION);
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
