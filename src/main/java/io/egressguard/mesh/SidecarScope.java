package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.OutboundTrafficPolicyMode;
import io.fabric8.istio.api.networking.v1.Sidecar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a {@code Sidecar} lets the proxies it scopes see, as pilot's {@code SidecarScope} computes it
 * (pilot/pkg/model/sidecar.go): without {@code workloadSelector} every proxy of its namespace (or, the root
 * namespace's, of every namespace without one), with it the pods it selects.
 *
 * <p>{@code egress[].hosts} entries are {@code namespace/host}: {@code .} is the Sidecar's namespace, {@code *}
 * any namespace, {@code ~} (or a {@code ~} prefix) excludes. A VirtualService is imported when one of its hosts
 * matches an entry of its own namespace or of {@code *} (both ways: {@code SelectVirtualServices} with
 * {@code hostClassification.VSMatches}); a Service or ServiceEntry when its host falls under such an entry
 * ({@code IstioEgressListenerWrapper.selectServices}): only those get listeners. The destinations of imported
 * VirtualServices get clusters too ({@code SidecarScope.collectImportedServices}), so a route to the egress
 * gateway works without importing the gateway's namespace. Without a Sidecar, a namespace imports everything
 * exported to it.
 *
 * <p>The root namespace's Sidecar is the default of namespaces without their own, read as if it were written in
 * each of them ({@code .} is then the client's namespace: pilot converts it per proxy namespace).
 *
 * @param ref          the Sidecar
 * @param namespace    the client namespace whose proxies it scopes
 * @param imports      the parsed {@code egress[].hosts} of every egress listener, in order
 * @param registryOnly {@code spec.outboundTrafficPolicy.mode}: true for REGISTRY_ONLY, false for ALLOW_ANY,
 *                     null when unset (the mesh's mode applies)
 */
public record SidecarScope(ObjectRef ref, String namespace, List<Import> imports, Boolean registryOnly) {

    /**
     * One {@code egress[i].hosts[j]} entry.
     *
     * @param namespace the namespace it imports from, {@code *} for any
     * @param host      the host pattern ({@code *} for all)
     * @param excluded  a {@code ~} entry: matching hosts are not imported
     * @param path      where it is written, e.g. {@code spec.egress[0].hosts}
     */
    public record Import(String namespace, String host, boolean excluded, String path) {
    }

    public SidecarScope {
        imports = List.copyOf(imports);
    }

    /**
     * The scope a Sidecar gives proxies in {@code namespace} (its own, or any namespace for the root namespace's
     * default): its {@code egress[].hosts} and {@code outboundTrafficPolicy}.
     */
    public static SidecarScope of(Resource sidecar, String namespace) {
        var spec = ((Sidecar) sidecar.object()).getSpec();
        List<List<String>> hosts = new ArrayList<>();
        if (spec != null && spec.getEgress() != null) {
            spec.getEgress().forEach(e -> hosts.add(e == null || e.getHosts() == null ? List.of() : e.getHosts()));
        }
        Boolean registryOnly = spec == null || spec.getOutboundTrafficPolicy() == null
                || spec.getOutboundTrafficPolicy().getMode() == null ? null
                : spec.getOutboundTrafficPolicy().getMode() == OutboundTrafficPolicyMode.REGISTRY_ONLY;
        return new SidecarScope(sidecar.ref(), namespace, parse(namespace, hosts), registryOnly);
    }

    /** The pod labels a Sidecar's {@code workloadSelector} selects, null for a namespace-wide Sidecar. */
    public static Map<String, String> workloadSelector(Resource sidecar) {
        var spec = ((Sidecar) sidecar.object()).getSpec();
        return spec == null || spec.getWorkloadSelector() == null ? null
                : spec.getWorkloadSelector().getLabels() == null ? Map.of() : spec.getWorkloadSelector().getLabels();
    }

    /**
     * Parses {@code egress[].hosts} for proxies in {@code namespace}; malformed entries are skipped, as pilot does.
     * No egress listener at all imports everything: pilot then adds a default listener for every host of every namespace.
     */
    public static List<Import> parse(String namespace, List<List<String>> egressHosts) {
        List<Import> out = new ArrayList<>();
        if (egressHosts.isEmpty()) {
            out.add(new Import("*", "*", false, "spec.egress"));
        }
        for (int i = 0; i < egressHosts.size(); i++) {
            for (String h : egressHosts.get(i) == null ? List.<String>of() : egressHosts.get(i)) {
                if (h == null || h.chars().filter(c -> c == '/').count() != 1) {
                    continue; // pilot: "Illegal host in sidecar resource"
                }
                String ns = h.substring(0, h.indexOf('/'));
                String host = h.substring(h.indexOf('/') + 1);
                boolean excluded = ns.startsWith("~");
                if (excluded) {
                    ns = ns.substring(1);
                    if (ns.isEmpty()) {
                        ns = "*";
                    }
                }
                if (ns.equals(".")) {
                    ns = namespace;
                }
                out.add(new Import(ns, host, excluded, "spec.egress[" + i + "].hosts"));
            }
        }
        return out;
    }

    /**
     * True when a VirtualService of {@code vsNamespace} with these {@code hosts} is imported: one host matches
     * (either way) an entry for its namespace or for {@code *}, and no exclusion of those covers it.
     */
    public boolean importsVirtualService(String vsNamespace, List<String> hosts) {
        for (String h : hosts) {
            if (excluded(vsNamespace, h)) {
                continue;
            }
            for (Import i : imports) {
                if (!i.excluded && fromNamespace(i, vsNamespace) && Hosts.intersect(i.host, h)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when a Service or ServiceEntry of {@code namespace} for {@code host} falls under an entry. */
    public boolean importsService(String namespace, String host) {
        if (excluded(namespace, host)) {
            return false;
        }
        for (Import i : imports) {
            if (!i.excluded && fromNamespace(i, namespace) && Hosts.covers(i.host, host)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the scope imports, independent of the namespace it scopes ({@code .} entries written back as
     * {@code .}), with the Sidecar when it is the root namespace's: namespaces with equal views see the same.
     */
    public Object view() {
        List<Import> relative = imports.stream().map(i -> i.namespace.equals(namespace)
                ? new Import(".", i.host, i.excluded, i.path) : i).toList();
        return List.of(ref.namespace().equals(namespace) ? "own" : ref, relative,
                registryOnly == null ? "mesh" : registryOnly);
    }

    /** The path of the first egress listener's hosts, where a missing import is reported. */
    public String hostsPath() {
        return imports.isEmpty() ? "spec.egress" : imports.get(0).path();
    }

    private boolean excluded(String namespace, String host) {
        for (Import i : imports) {
            if (i.excluded && fromNamespace(i, namespace) && Hosts.covers(i.host, host)) {
                return true;
            }
        }
        return false;
    }

    private static boolean fromNamespace(Import i, String namespace) {
        return i.namespace.equals("*") || i.namespace.equals(namespace);
    }
}
