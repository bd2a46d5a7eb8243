package io.egressguard.engine;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.rules.Catalogue;
import io.egressguard.rules.Rule;
import io.egressguard.rules.RuleRegistry;
import io.egressguard.rules.RuleRunner;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the catalogue on a snapshot. Pure: the same snapshot and targets give the same findings, whether the
 * snapshot came from files, informers or an admission request.
 */
public final class Engine {

    private static final Comparator<Finding> ORDER = Comparator.comparing(Finding::object)
            .thenComparing(Finding::code).thenComparing(Finding::path).thenComparing(Finding::message);

    private final EngineConfig config;
    private final Map<Kind, List<Rule>> rulesByKind = new EnumMap<>(Kind.class);

    public Engine(EngineConfig config) {
        this(config, RuleRegistry.all());
    }

    public Engine(EngineConfig config, List<Rule> rules) {
        this.config = config;
        for (Rule r : rules) {
            if (!config.enabled(r.code())) {
                continue;
            }
            for (Kind k : r.targets()) {
                rulesByKind.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
            }
        }
    }

    /** Checks every object of the snapshot. */
    public List<Finding> check(MeshSnapshot snapshot) {
        return check(snapshot, snapshot.resources().stream().map(Resource::ref).toList());
    }

    /** Checks the given objects of the snapshot against all of it. */
    public List<Finding> check(MeshSnapshot snapshot, Collection<ObjectRef> targets) {
        List<Finding> raw = new ArrayList<>();
        RuleRunner runner = new RuleRunner(snapshot, raw);
        for (ObjectRef ref : targets) {
            Resource r = snapshot.resource(ref).orElse(null);
            if (r == null || ignored(snapshot, r)) {
                continue;
            }
            for (Rule rule : rulesByKind.getOrDefault(ref.kind(), List.of())) {
                runner.run(rule, r);
            }
        }
        List<Finding> out = new ArrayList<>(raw.size());
        for (Finding f : raw) {
            Catalogue c = Catalogue.of(f.code()).orElseThrow();
            Resource r = snapshot.resource(f.object()).orElseThrow();
            if (!suppressed(r, f.code())) {
                out.add(f.withSeverity(config.severity(c, f.severity())));
            }
        }
        out.sort(ORDER);
        return out;
    }

    /**
     * The findings of checking each object of one snapshot, kept for the snapshot's lifetime (weakly): the webhook
     * checks the current state, which many reviews share, for the objects a change leaves with findings.
     */
    private static final class Remembered {
        static final int LIMIT = 10_000;
        final WeakReference<MeshSnapshot> snapshot;
        final Map<ObjectRef, List<Finding>> byTarget = new ConcurrentHashMap<>();

        Remembered(MeshSnapshot snapshot) {
            this.snapshot = new WeakReference<>(snapshot);
        }
    }

    private volatile Remembered remembered;

    /**
     * {@link #check(MeshSnapshot, Collection)}, remembering each object's findings for the latest snapshot it was
     * called with: the same snapshot and object give the same findings (the engine is pure), so a snapshot that
     * stays the current state answers again without running the rules.
     */
    public List<Finding> checkRemembering(MeshSnapshot snapshot, Collection<ObjectRef> targets) {
        Remembered m = remembered;
        if (m == null || m.snapshot.get() != snapshot) {
            m = new Remembered(snapshot);
            remembered = m;
        }
        List<Finding> out = new ArrayList<>();
        for (ObjectRef ref : targets) {
            List<Finding> found = m.byTarget.get(ref);
            if (found == null) {
                found = check(snapshot, List.of(ref));
                if (m.byTarget.size() < Remembered.LIMIT) {
                    m.byTarget.put(ref, found);
                }
            }
            out.addAll(found);
        }
        out.sort(ORDER);
        return out;
    }

    /** Namespaces labelled {@code egress-guard.io/ignore=true} are skipped. */
    static boolean ignored(MeshSnapshot s, Resource r) {
        String ns = r.kind() == Kind.NAMESPACE ? r.ref().name() : r.ref().namespace();
        return s.namespaceLabels(ns).map(l -> "true".equals(l.get(EngineConfig.IGNORE_NAMESPACE_LABEL))).orElse(false);
    }

    /** The annotation {@code egress-guard.io/suppress: "EG201,EG305"} (or {@code *}) silences codes on the object. */
    static boolean suppressed(Resource r, String code) {
        Map<String, String> a = r.object().getMetadata().getAnnotations();
        String v = a == null ? null : a.get(EngineConfig.SUPPRESS_ANNOTATION);
        if (v == null) {
            return false;
        }
        for (String part : v.split(",")) {
            String p = part.trim();
            if (p.equals("*") || p.equalsIgnoreCase(code)) {
                return true;
            }
        }
        return false;
    }

}
