package io.egressguard.mesh;

import io.egressguard.istio.ExportTo;
import io.egressguard.istio.Hosts;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.ServicePort;
import io.fabric8.istio.api.networking.v1.ServiceEntry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static io.egressguard.mesh.MeshSnapshot.nonNull;

/** The ServiceEntries of the mesh: by object, by exact host, and those with wildcard hosts apart. */
final class ServiceEntryIndex {

    private static final String ALL = "*";

    private final Layer<ObjectRef, ServiceEntryInfo> serviceEntries;
    private final MultiIndex<String, ServiceEntryInfo> byHost;
    private final MultiIndex<String, ServiceEntryInfo> wildcards;

    /** The index of {@code serviceEntries}, in the order of their positions. */
    ServiceEntryIndex(Positions positions, List<Resource> serviceEntries, Compilations compilations) {
        this.serviceEntries = new Layer<>();
        this.byHost = new MultiIndex<>(positions.comparing(ServiceEntryInfo::ref));
        this.wildcards = new MultiIndex<>(positions.comparing(ServiceEntryInfo::ref));
        for (Resource r : serviceEntries) {
            index(compilations.compile(r, () -> info(r)), true);
        }
    }

    private ServiceEntryIndex(ServiceEntryIndex before, Positions positions) {
        this.serviceEntries = new Layer<>(before.serviceEntries);
        this.byHost = new MultiIndex<>(before.byHost, positions.comparing(ServiceEntryInfo::ref));
        this.wildcards = new MultiIndex<>(before.wildcards, positions.comparing(ServiceEntryInfo::ref));
    }

    /** The index with the ServiceEntry {@code ref} replaced by {@code to} (null: deleted); shares the rest with this one. */
    ServiceEntryIndex changed(Positions positions, ObjectRef ref, Resource to) {
        ServiceEntryIndex next = new ServiceEntryIndex(this, positions);
        next.index(serviceEntries.get(ref), false);
        next.index(to == null ? null : info(to), true);
        return next;
    }

    private void index(ServiceEntryInfo info, boolean add) {
        if (info == null) {
            return;
        }
        if (add) {
            serviceEntries.put(info.ref(), info);
        } else {
            serviceEntries.remove(info.ref());
        }
        for (String h : info.hosts()) {
            MultiIndex<String, ServiceEntryInfo> index = Hosts.isWildcard(h) ? wildcards : byHost;
            index.edit(Hosts.isWildcard(h) ? ALL : h, info, add);
        }
    }

    private static ServiceEntryInfo info(Resource r) {
        var spec = ((ServiceEntry) r.object()).getSpec();
        if (spec == null) {
            return null;
        }
        List<String> hosts = new ArrayList<>();
        for (String h : nonNull(spec.getHosts())) {
            if (h != null) {
                hosts.add(h);
            }
        }
        Map<Integer, String> ports = new HashMap<>();
        for (ServicePort p : nonNull(spec.getPorts())) {
            if (p != null && p.getNumber() != null) {
                ports.put((int) (long) p.getNumber(), p.getProtocol() == null ? "" : p.getProtocol().toUpperCase(Locale.ROOT));
            }
        }
        String resolution = spec.getResolution() == null ? "NONE" : spec.getResolution().name();
        return new ServiceEntryInfo(r.ref(), hosts, ports, resolution, new ExportTo(r.ref().namespace(), spec.getExportTo()),
                spec.getEndpoints() != null && !spec.getEndpoints().isEmpty());
    }

    // ---------------------------------------------------------------- queries

    Collection<ServiceEntryInfo> all() {
        return serviceEntries.values();
    }

    Optional<ServiceEntryInfo> get(ObjectRef ref) {
        return Optional.ofNullable(serviceEntries.get(ref));
    }

    /** Hosts of the ServiceEntry {@code namespace/name}, empty when it does not exist. */
    List<String> hosts(String namespace, String name) {
        ServiceEntryInfo se = serviceEntries.get(new ObjectRef(Kind.SERVICE_ENTRY, namespace, name));
        return se == null ? List.of() : se.hosts();
    }

    /** ServiceEntries whose hosts cover {@code host} (exactly or by wildcard), in any namespace. */
    List<ServiceEntryInfo> declaring(String host) {
        return MultiIndex.exactThenWildcards(byHost.get(host), wildcards.get(ALL), se -> se.declaresHost(host));
    }

    /**
     * The ServiceEntry that declares exactly {@code host}, visible from {@code namespace}: what a gateway route
     * or a Gateway API {@code Hostname} backend needs. Clusters exist only for registry host names
     * ({@code outbound|443||*.wikipedia.org}), and pilot looks a route's destination up exactly
     * ({@code PushContext.ServiceForHostname}): a wildcard entry never serves a destination it covers.
     */
    Optional<ServiceEntryInfo> exactFor(String host, String namespace) {
        if (host == null) {
            return Optional.empty();
        }
        for (ServiceEntryInfo se : Hosts.isWildcard(host) ? wildcards.get(ALL) : byHost.get(host)) {
            if (se.hosts().contains(host) && se.exportTo().visibleTo(namespace)) {
                return Optional.of(se);
            }
        }
        return Optional.empty();
    }

    /**
     * The ServiceEntry a proxy in {@code namespace} uses for {@code host}: an exact host before a wildcard,
     * the most specific wildcard first, only entries exported to that namespace.
     */
    Optional<ServiceEntryInfo> usedFor(String host, String namespace) {
        if (host == null) {
            return Optional.empty();
        }
        for (ServiceEntryInfo se : byHost.get(host)) {
            if (se.exportTo().visibleTo(namespace)) {
                return Optional.of(se);
            }
        }
        ServiceEntryInfo best = null;
        String bestHost = null;
        for (ServiceEntryInfo se : wildcards.get(ALL)) {
            if (!se.exportTo().visibleTo(namespace)) {
                continue;
            }
            for (String h : se.hosts()) {
                if (Hosts.isWildcard(h) && Hosts.covers(h, host) && (bestHost == null || h.length() > bestHost.length())) {
                    best = se;
                    bestHost = h;
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
