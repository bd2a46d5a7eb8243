package io.egressguard.explain;

import java.util.List;
import java.util.Optional;

/**
 * The path of one request, hop by hop.
 *
 * @param request what was traced
 * @param path    how the request leaves the mesh
 * @param reached true when the request reaches the external host
 * @param outcome one sentence: where it ends
 * @param hops    the hops, in traffic order, NetworkPolicy verdicts last
 */
public record Trace(TraceRequest request, Path path, boolean reached, String outcome, List<Hop> hops) {

    public enum Path {
        /** The sidecar sends to an egress gateway, which forwards to the external host. */
        EGRESS_GATEWAY,
        /** The sidecar (or a pod without one) connects to the external host itself. */
        DIRECT,
        /** The request ends inside the mesh (a Service that is no egress gateway). */
        IN_MESH,
        /** Ambient mode: ztunnel (and a waypoint, if enrolled) carry the traffic; not analysed further. */
        AMBIENT;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public Trace {
        hops = List.copyOf(hops);
    }

    /** True when some hop is broken. */
    public boolean broken() {
        return firstBroken().isPresent();
    }

    public Optional<Hop> firstBroken() {
        return hops.stream().filter(h -> h.verdict() == Hop.Verdict.BROKEN).findFirst();
    }
}
