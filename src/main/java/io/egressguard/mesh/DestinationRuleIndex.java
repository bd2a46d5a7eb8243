package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.Hosts;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.DestinationRule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.egressguard.mesh.MeshSnapshot.nonNull;

/** The DestinationRules of the mesh: by object, by namespace and host, and by host across namespaces. */
final class DestinationRuleIndex {

    /**
     * Istio orders DestinationRules by creation time, then name, then namespace ({@code
     * sortConfigByCreationTime}): on merges the older rule wins.
     */
    private static final Comparator<DestinationRuleInfo> ORDER = Comparator
            .comparingLong(DestinationRuleInfo::order).thenComparing(d -> d.ref().name())
            .thenComparing(d -> d.ref().namespace());

    /** False in a full build, which adds the rules in order; true in an index derived by a change. */
    private final boolean derived;
    private final Layer<ObjectRef, DestinationRuleInfo> destinationRules;
    private final Layer<String, Map<String, List<DestinationRuleInfo>>> byNamespace;
    private final MultiIndex<String, DestinationRuleInfo> byHost;

    DestinationRuleIndex(List<Resource> destinationRules, Compilations compilations) {
        this.derived = false;
        this.destinationRules = new Layer<>();
        this.byNamespace = new Layer<>();
        this.byHost = new MultiIndex<>(ORDER);
        List<DestinationRuleInfo> rules = new ArrayList<>();
        for (Resource r : destinationRules) {
            DestinationRuleInfo info = compilations.compile(r, () -> info(r));
            if (info != null) {
                rules.add(info);
            }
        }
        rules.sort(ORDER);
        rules.forEach(d -> index(d, true));
    }

    private DestinationRuleIndex(DestinationRuleIndex before) {
        this.derived = true;
        this.destinationRules = new Layer<>(before.destinationRules);
        this.byNamespace = new Layer<>(before.byNamespace);
        this.byHost = new MultiIndex<>(before.byHost, ORDER);
    }

    /** The index with the DestinationRule {@code ref} replaced by {@code to} (null: deleted); shares the rest with this one. */
    DestinationRuleIndex changed(ObjectRef ref, Resource to) {
        DestinationRuleIndex next = new DestinationRuleIndex(this);
        DestinationRuleInfo old = destinationRules.get(ref);
        if (old != null) {
            next.index(old, false);
        }
        DestinationRuleInfo now = to == null ? null : info(to);
        if (now != null) {
            next.index(now, true);
        }
        return next;
    }

    private void index(DestinationRuleInfo d, boolean add) {
        if (add) {
            destinationRules.put(d.ref(), d);
            byHost.add(d.host(), d);
        } else {
            destinationRules.remove(d.ref());
            byHost.remove(d.host(), d);
        }
        Map<String, List<DestinationRuleInfo>> inNamespace = byNamespace.get(d.namespace());
        if (!derived && inNamespace != null) {
            inNamespace.computeIfAbsent(d.host(), k -> new ArrayList<>()).add(d); // a full build adds in order
            return;
        }
        // a derived snapshot copies the (small) per-namespace map it changes
        Map<String, List<DestinationRuleInfo>> copy = new HashMap<>(inNamespace == null ? Map.of() : inNamespace);
        List<DestinationRuleInfo> list = new ArrayList<>(copy.getOrDefault(d.host(), List.of()));
        if (add) {
            int at = 0;
            while (at < list.size() && ORDER.compare(list.get(at), d) <= 0) {
                at++;
            }
            list.add(at, d);
        } else {
            list.removeIf(x -> x.ref().equals(d.ref()));
        }
        if (list.isEmpty()) {
            copy.remove(d.host());
        } else {
            copy.put(d.host(), list);
        }
        if (copy.isEmpty()) {
            byNamespace.remove(d.namespace());
        } else {
            byNamespace.put(d.namespace(), copy);
        }
    }

    private static DestinationRuleInfo info(Resource r) {
        var spec = ((DestinationRule) r.object()).getSpec();
        if (spec == null || spec.getHost() == null) {
            return null;
        }
        List<String> subsets = new ArrayList<>();
        for (var s : nonNull(spec.getSubsets())) {
            if (s != null && s.getName() != null) {
                subsets.add(s.getName());
            }
        }
        return new DestinationRuleInfo(r.ref(), Hosts.fqdn(spec.getHost(), r.ref().namespace()), subsets,
                spec.getTrafficPolicy(), new ExportTo(r.ref().namespace(), spec.getExportTo()),
                r.creationOrder(), spec.getWorkloadSelector() != null,
                spec.getWorkloadSelector() == null ? Map.of() : spec.getWorkloadSelector().getMatchLabels());
    }

    // ---------------------------------------------------------------- queries

    Collection<DestinationRuleInfo> all() {
        return destinationRules.values();
    }

    Optional<DestinationRuleInfo> get(ObjectRef ref) {
        return Optional.ofNullable(destinationRules.get(ref));
    }

    /** DestinationRules of one namespace grouped by (fully qualified) host, oldest first. */
    Map<String, List<DestinationRuleInfo>> in(String namespace) {
        return byNamespace.getOrDefault(namespace, Map.of());
    }

    /** DestinationRules whose (fully qualified) host is exactly {@code host}, in every namespace. */
    List<DestinationRuleInfo> forHost(String host) {
        return byHost.get(host);
    }
}
