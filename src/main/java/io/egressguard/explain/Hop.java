package io.egressguard.explain;

import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;

import java.util.List;

/**
 * One hop of a traced request.
 *
 * @param kind     which hop
 * @param verdict  what happens to the request there
 * @param summary  one line: what applies and where the request goes
 * @param objects  the objects that decide this hop
 * @param details  why: what else was considered and why it does not apply, which lookup step matched
 * @param code     for a broken hop, the rule code that names the problem
 * @param fix      for a broken hop, how to fix it
 * @param findings findings of the checks on this hop's objects that concern this hop
 */
public record Hop(HopKind kind, Verdict verdict, String summary, List<ObjectRef> objects, List<String> details,
        String code, String fix, List<Finding> findings) {

    public enum Verdict {
        /** The request passes this hop as intended. */
        OK,
        /** The request fails here, or the hop is unsafe (a rule reports it). */
        BROKEN,
        /** The request never gets here. */
        SKIPPED,
        /** Worth knowing; the request is not stopped. */
        INFO;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Hop {
        objects = List.copyOf(objects);
        details = List.copyOf(details);
        findings = List.copyOf(findings);
    }

    Hop withFindings(List<Finding> attached, Verdict verdict, String code, String fix) {
        return new Hop(kind, verdict, summary, objects, details, code, fix, attached);
    }
}
