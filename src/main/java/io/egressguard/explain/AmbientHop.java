package io.egressguard.explain;

import io.egressguard.explain.Hop.Verdict;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.mesh.Waypoints;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pods of an ambient namespace have no sidecar: ztunnel carries their traffic over HBONE, to the waypoint the
 * host's ServiceEntry enrols in, or directly. One info hop says which; the path is not analysed further
 * (no route, no NetworkPolicy verdict: pods reach a waypoint on 15008, not the external host).
 */
final class AmbientHop extends HopStep {

    AmbientHop(Walk w) {
        super(w);
    }

    /** Adds the ztunnel hop, {@code notes} as its details. */
    void add(List<String> notes) {
        Optional<ServiceEntryInfo> se = s.serviceEntryFor(q.host(), q.namespace());
        Optional<Waypoints.Enrolment> wp = se.flatMap(x -> Waypoints.enrolment(s, x.ref()));
        List<ObjectRef> objects = new ArrayList<>(List.of(new ObjectRef(Kind.NAMESPACE, null, q.namespace())));
        se.ifPresent(x -> objects.add(x.ref()));
        String via;
        if (wp.isPresent() && wp.get().used()) {
            objects.add(wp.get().gateway());
            via = "to waypoint " + wp.get().gateway() + " over HBONE (port 15008), which connects to " + w.hostPort();
        } else if (wp.isPresent() && wp.get().exists() && !wp.get().admitted()) {
            objects.add(wp.get().gateway());
            via = "to " + w.hostPort() + " without a waypoint: " + wp.get().gateway() + " admits only " + wp.get().admits();
        } else if (wp.isPresent() && wp.get().exists()) {
            objects.add(wp.get().gateway());
            via = "to " + w.hostPort() + " without a waypoint: " + wp.get().gateway() + " serves no service traffic ("
                    + Waypoints.WAYPOINT_FOR + ": " + wp.get().waypointFor() + ")";
        } else if (wp.isPresent()) {
            via = "to waypoint " + wp.get().gateway() + ", which is not in the state";
        } else {
            via = "to " + w.hostPort() + " without a waypoint (neither " + se.map(x -> "ServiceEntry " + x.ref().name())
                    .orElse("a ServiceEntry") + " nor its namespace carries istio.io/use-waypoint)";
        }
        w.add(HopKind.ZTUNNEL, Verdict.INFO, "pods in " + q.namespace() + " run in ambient mode (istio.io/dataplane-mode="
                + "ambient), without sidecars: ztunnel carries the traffic " + via + "; ambient paths are not analysed "
                + "further", objects, notes, null, null);
    }
}
