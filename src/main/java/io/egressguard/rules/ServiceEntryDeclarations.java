package io.egressguard.rules;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.mesh.Waypoints;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.ServicePort;
import io.fabric8.istio.api.networking.v1.ServiceEntry;

import java.util.List;
import java.util.Locale;

/** What a ServiceEntry's ports declare, against the other declarations of the mesh. */
final class ServiceEntryDeclarations {

    private ServiceEntryDeclarations() {
    }

    /**
     * The protocol an older ServiceEntry declares for {@code host}:{@code port}, which pilot keeps over this
     * one's (entries are listed oldest first), or null.
     */
    static ServiceEntryInfo olderDeclaration(MeshSnapshot s, ServiceEntryInfo mine, String host, int port) {
        for (ServiceEntryInfo other : s.serviceEntriesDeclaring(host)) {
            if (other.ref().equals(mine.ref())) {
                return null;
            }
            if (other.hosts().contains(host) && other.ports().containsKey(port)) {
                return other;
            }
        }
        return null;
    }

    /**
     * EG105: a TCP (or protocol-less) port of a ServiceEntry without addresses. Pilot gives it an outbound
     * listener on 0.0.0.0:port at every sidecar that imports it, so, without DNS capture, every TCP connection
     * to that port that no other listener claims goes to this host. Auto-allocated addresses
     * ({@code status.addresses}) count: proxies that capture DNS use them.
     */
    static final class TcpWithoutAddresses implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG105;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            ServiceEntry se = (ServiceEntry) target.object();
            var spec = se.getSpec();
            if (spec == null || spec.getHosts() == null || spec.getHosts().isEmpty()
                    || spec.getAddresses() != null && !spec.getAddresses().isEmpty()
                    || se.getStatus() != null && se.getStatus().getAddresses() != null && !se.getStatus().getAddresses().isEmpty()) {
                return;
            }
            List<ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
            for (int i = 0; i < ports.size(); i++) {
                ServicePort p = ports.get(i);
                if (p == null || p.getNumber() == null) {
                    continue;
                }
                String protocol = p.getProtocol() == null ? "" : p.getProtocol().toUpperCase(Locale.ROOT);
                int number = (int) (long) p.getNumber();
                ServiceEntryInfo mine = ctx.snapshot().serviceEntry(target.ref()).orElse(null);
                boolean shadowed = mine != null && spec.getHosts().stream()
                        .allMatch(h -> olderDeclaration(ctx.snapshot(), mine, h, number) != null);
                if ((protocol.isEmpty() || protocol.equals("TCP")) && !shadowed) {
                    ctx.report("spec.ports[" + i + "]", "captures unclaimed port " + p.getNumber() + " traffic: "
                            + (protocol.isEmpty() ? "port" : "TCP port") + " without addresses; sidecars without DNS "
                            + "capture send it to " + spec.getHosts().get(0));
                    return;
                }
            }
        }
    }

    /**
     * EG106: a host and port that an older ServiceEntry declares with another protocol. Which declaration a
     * sidecar ends up with is not what either author wrote for the other: pilot's simulation of such a pair
     * (HTTP in the older entry, TCP in the newer) passes the traffic through and skips the HTTP routes for the
     * host, egress routes included.
     */
    static final class ConflictingProtocol implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG106;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            ServiceEntryInfo mine = s.serviceEntry(target.ref()).orElse(null);
            if (mine == null) {
                return;
            }
            List<ServicePort> ports = ((ServiceEntry) target.object()).getSpec().getPorts();
            for (String host : mine.hosts()) {
                for (var e : mine.ports().entrySet()) {
                    ServiceEntryInfo other = olderDeclaration(s, mine, host, e.getKey());
                    String older = other == null ? null : other.ports().get(e.getKey());
                    if (older != null && !older.equals(e.getValue()) && !older.isEmpty() && !e.getValue().isEmpty()) {
                        ctx.report("spec.ports[" + indexOf(ports, e.getKey()) + "].protocol", "conflicting protocols for "
                                + host + ":" + e.getKey() + ": " + older + " in the older " + other.ref() + ", " + e.getValue()
                                + " here; routes written for one protocol may never match", other.ref());
                        return;
                    }
                }
            }
        }

        private static int indexOf(List<ServicePort> ports, int number) {
            for (int i = 0; ports != null && i < ports.size(); i++) {
                if (ports.get(i) != null && ports.get(i).getNumber() != null && ports.get(i).getNumber() == number) {
                    return i;
                }
            }
            return 0;
        }
    }

    /**
     * EG107: pilot does not give the entry the waypoint it enrols in, and its traffic bypasses the waypoint: the
     * waypoint does not admit its namespace, serves no service traffic ({@code istio.io/waypoint-for} other than
     * {@code service} or {@code all}), or (in a cluster's state) does not exist.
     */
    static final class WaypointNotUsed implements Rule {

        @Override
        public Catalogue code() {
            return Catalogue.EG107;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            Waypoints.Enrolment e = Waypoints.enrolment(s, target.ref()).orElse(null);
            if (e == null || e.used()) {
                return;
            }
            // pilot fetchWaypointForTarget and fetchWaypointForService, in their order: the attachment, then the
            // traffic type; a waypoint that is not there (WaypointIsNotReady) only where every Gateway is known
            if (e.exists() && !e.admitted()) {
                ctx.report(e.fromLabel(), "ztunnel sends this entry's traffic directly, past the waypoint: " + e.gateway()
                        + " admits only " + e.admits(), e.gateway());
            } else if (e.exists()) {
                ctx.report(e.fromLabel(), "ztunnel sends this entry's traffic directly, past the waypoint: " + e.gateway()
                        + " serves no service traffic (" + Waypoints.WAYPOINT_FOR + ": " + e.waypointFor() + ")", e.gateway());
            } else if (Waypoints.gatewaysKnown(s)) {
                ctx.report(e.fromLabel(), "ztunnel sends this entry's traffic directly: its waypoint " + e.gateway()
                        + " does not exist");
            }
        }
    }
}
