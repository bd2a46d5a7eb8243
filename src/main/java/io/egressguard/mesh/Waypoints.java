package io.egressguard.mesh;

import io.egressguard.istio.Labels;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;

import java.util.Map;
import java.util.Optional;

/**
 * Ambient mode's waypoints for ServiceEntries (pilot/pkg/serviceregistry/ambient/waypoints.go). Pods of a
 * namespace labelled {@code istio.io/dataplane-mode=ambient} have no sidecar: ztunnel carries their traffic,
 * through the waypoint the ServiceEntry enrols in (its {@code istio.io/use-waypoint} label, else its
 * namespace's; {@code istio.io/use-waypoint-namespace} names another namespace), or directly without one.
 */
public final class Waypoints {

    public static final String DATAPLANE_MODE = "istio.io/dataplane-mode";
    public static final String USE_WAYPOINT = "istio.io/use-waypoint";
    public static final String USE_WAYPOINT_NAMESPACE = "istio.io/use-waypoint-namespace";
    /** What traffic a waypoint serves: {@code service} (the default), {@code workload}, {@code all} or {@code none}. */
    public static final String WAYPOINT_FOR = "istio.io/waypoint-for";

    /**
     * The waypoint a ServiceEntry asks for.
     *
     * @param gateway   the waypoint Gateway named by the label
     * @param fromLabel where the label is: {@code metadata.labels} of the entry or {@code metadata.namespace}
     *                  (its namespace's label)
     * @param exists    the Gateway is in the state
     * @param admitted  the waypoint admits the entry's namespace (its HBONE listener's {@code allowedRoutes})
     * @param admits    which namespaces it admits, in words (for messages)
     * @param waypointFor the Gateway's {@code istio.io/waypoint-for} label, null when it has none
     */
    public record Enrolment(ObjectRef gateway, String fromLabel, boolean exists, boolean admitted, String admits,
            String waypointFor) {

        /**
         * True when the waypoint takes service traffic, as a ServiceEntry needs (pilot {@code fetchWaypointForService}:
         * a traffic type other than {@code service} or {@code all} is refused with UnsupportedTrafficType). Without
         * the label on the Gateway, its GatewayClass may set it; GatewayClasses are not in the state, and Istio's
         * own classes carry no such label: taken as {@code service}, pilot's default.
         */
        public boolean servesServices() {
            return waypointFor == null || "service".equals(waypointFor) || "all".equals(waypointFor);
        }

        /** True when pilot gives the ServiceEntry this waypoint: it exists, admits the namespace and serves services. */
        public boolean used() {
            return exists && admitted && servesServices();
        }
    }

    private Waypoints() {
    }

    /** True when pods of the namespace run in ambient mode: labelled so, and not sidecar-injected. */
    public static boolean ambient(MeshSnapshot s, String namespace) {
        return s.namespaceLabels(namespace).map(l -> "ambient".equals(l.get(DATAPLANE_MODE))).orElse(false)
                && !s.sidecarInjected(namespace);
    }

    /**
     * The waypoint the ServiceEntry enrols in (pilot {@code fetchWaypointForTarget}): its own label first (the
     * value {@code none} opts out), else its namespace's. Empty when neither asks for one.
     */
    public static Optional<Enrolment> enrolment(MeshSnapshot s, ObjectRef serviceEntry) {
        Resource r = s.resource(serviceEntry).orElse(null);
        if (r == null) {
            return Optional.empty();
        }
        String ns = serviceEntry.namespace();
        Map<String, String> own = labels(r.object());
        if (own.containsKey(USE_WAYPOINT)) {
            return "none".equals(own.get(USE_WAYPOINT)) ? Optional.empty()
                    : Optional.of(resolve(s, ns, own, "metadata.labels"));
        }
        Map<String, String> nsLabels = s.namespaceLabels(ns).orElse(Map.of());
        if (nsLabels.containsKey(USE_WAYPOINT) && !"none".equals(nsLabels.get(USE_WAYPOINT))) {
            return Optional.of(resolve(s, ns, nsLabels, "metadata.namespace"));
        }
        return Optional.empty();
    }

    private static Enrolment resolve(MeshSnapshot s, String clientNamespace, Map<String, String> labels, String from) {
        String wpNamespace = labels.getOrDefault(USE_WAYPOINT_NAMESPACE, clientNamespace);
        ObjectRef gw = new ObjectRef(Kind.KUBERNETES_GATEWAY, wpNamespace, labels.get(USE_WAYPOINT));
        Resource r = s.resource(gw).orElse(null);
        if (r == null) {
            return new Enrolment(gw, from, false, false, "", null);
        }
        var g = (io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) r.object();
        String waypointFor = labels(g).get(WAYPOINT_FOR);
        Listener hbone = null;
        if (g.getSpec() != null && g.getSpec().getListeners() != null) {
            for (Listener l : g.getSpec().getListeners()) {
                if (l != null && "HBONE".equals(l.getProtocol()) && Integer.valueOf(15008).equals(l.getPort())) {
                    hbone = l; // pilot makeAllowedRoutes: the default HBONE listener decides
                    break;
                }
            }
        }
        var allowed = hbone == null || hbone.getAllowedRoutes() == null ? null : hbone.getAllowedRoutes().getNamespaces();
        String words = hbone == null ? "its own namespace (no HBONE listener on 15008)"
                : allowed == null || allowed.getFrom() == null || "Same".equals(allowed.getFrom())
                        ? "its own namespace (listener " + hbone.getName() + " has no allowedRoutes from other namespaces)"
                        : "the namespaces its listener " + hbone.getName() + " selects (allowedRoutes)";
        return new Enrolment(gw, from, true, admits(s, hbone, wpNamespace, clientNamespace), words, waypointFor);
    }

    /**
     * pilot {@code makeWaypointSelector} / {@code AllowsAttachmentFromNamespace}: without {@code allowedRoutes}
     * (or without the HBONE listener) only the waypoint's own namespace; {@code All}; or a label selector on
     * the namespace's labels.
     */
    private static boolean admits(MeshSnapshot s, Listener l, String waypointNamespace, String namespace) {
        var ns = l == null || l.getAllowedRoutes() == null ? null : l.getAllowedRoutes().getNamespaces();
        String from = ns == null || ns.getFrom() == null ? "Same" : ns.getFrom();
        return switch (from) {
            case "All" -> true;
            case "Selector" -> {
                var labels = s.namespaceLabels(namespace);
                // a nil selector selects nothing; a namespace not in the state is taken as admitted (no finding
                // on what cannot be seen)
                yield ns.getSelector() != null && (labels.isEmpty() || Labels.matches(ns.getSelector(), labels.get()));
            }
            default -> waypointNamespace.equals(namespace);
        };
    }

    /**
     * True when the state is a cluster's (the audit's or the webhook's informers): every Gateway of the cluster is
     * in it, so a waypoint Gateway that is not does not exist. Manifests given to {@code check} may leave it out.
     */
    public static boolean gatewaysKnown(MeshSnapshot s) {
        return s.resource(new ObjectRef(Kind.NAMESPACE, null, s.rootNamespace()))
                .map(r -> "cluster".equals(r.origin().source())).orElse(false);
    }

    private static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata() == null || o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    }
}
