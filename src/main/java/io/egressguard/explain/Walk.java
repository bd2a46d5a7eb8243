package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.mesh.DestinationRuleInfo;
import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.SidecarScope;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Severity;
import io.egressguard.rules.Catalogue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One trace in progress: the request, the mesh configuration it crosses, and the hops so far. Each hop class
 * reads the request and the snapshot from here and adds its hop; once a hop stops the request, the later hops
 * are not reached.
 */
final class Walk {

    /**
     * Codes whose findings depend on the client namespace (EG206 lists the namespaces that fail, EG211 may
     * concern other namespaces, EG301 to EG303 are DestinationRule lookups from other clients): the tracer
     * decides them itself for the traced namespace instead of attaching them.
     */
    private static final Set<String> PER_CLIENT = Set.of("EG206", "EG211", "EG301", "EG302", "EG303", "EG901");

    final TraceRequest q;
    final MeshSnapshot s;
    final DestinationRuleLookup lookup;
    /** The Sidecar that scopes the traced pod: selecting its labels, else its namespace's (empty: none). */
    final Optional<SidecarScope> scope;
    private final List<Finding> findings;
    final List<Hop> hops = new ArrayList<>();
    /** Set once a hop stops the request: later hops are not reached. */
    boolean stopped;

    Walk(TraceRequest q, MeshSnapshot s, DestinationRuleLookup lookup, List<Finding> findings) {
        this.q = q;
        this.s = s;
        this.lookup = lookup;
        this.findings = findings;
        this.scope = s.sidecarScope(q.namespace(), q.podLabels());
    }

    void add(HopKind kind, Verdict verdict, String summary, List<ObjectRef> objects, List<String> details,
            Catalogue code, String fix) {
        addCoded(kind, verdict, summary, objects, details, code == null ? null : code.code(), fix);
    }

    void addCoded(HopKind kind, Verdict verdict, String summary, List<ObjectRef> objects, List<String> details,
            String code, String fix) {
        hops.add(new Hop(kind, verdict, summary, objects, details, code, fix, List.of()));
    }

    /** A hop where the request fails: every later hop on the path is not reached. */
    void stop(HopKind kind, String summary, List<ObjectRef> objects, List<String> details, Catalogue code) {
        add(kind, Verdict.BROKEN, summary, objects, details, code, code.fix());
        stopped = true;
    }

    String hostPort() {
        return q.host() + ":" + q.port();
    }

    /** The Sidecar that scopes the traced pod, named for a detail line. */
    String sidecar() {
        return scope.map(x -> x.ref().toString()).orElse("the Sidecar");
    }

    /**
     * Attaches to each hop the findings on its objects whose codes judge that hop (each finding once). A
     * warning or error on a hop that the path itself passes makes the hop broken, named by that finding.
     */
    List<Hop> attached() {
        Set<Finding> used = new LinkedHashSet<>();
        List<Hop> out = new ArrayList<>();
        for (Hop h : hops) {
            List<Finding> mine = new ArrayList<>();
            for (Finding f : findings) {
                if (!used.contains(f) && !PER_CLIENT.contains(f.code()) && h.kind().judgedBy(f.code())
                        && h.objects().contains(f.object())) {
                    mine.add(f);
                    used.add(f);
                }
            }
            Verdict verdict = h.verdict();
            String code = h.code();
            String fix = h.fix();
            if (verdict != Verdict.BROKEN && verdict != Verdict.SKIPPED) {
                Optional<Finding> worst = mine.stream().filter(f -> f.severity() != Severity.INFO).findFirst();
                if (worst.isPresent()) {
                    verdict = Verdict.BROKEN;
                    code = worst.get().code();
                    fix = Catalogue.of(code).map(Catalogue::fix).orElse(null);
                }
            }
            out.add(h.withFindings(mine, verdict, code, fix));
        }
        return out;
    }

    /** {@code VirtualService default/x spec.http[0].match[0]}. */
    static String describe(RouteRule r) {
        return r.source() + " " + r.path();
    }

    static String portSuffix(Integer port) {
        return port == null ? "" : ":" + port;
    }

    static String names(List<?> items) {
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            out.add(o instanceof DestinationRuleInfo d ? d.ref().namespace() + "/" + d.ref().name() : o.toString());
        }
        return String.join(", ", out);
    }
}
