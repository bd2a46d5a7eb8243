package io.egressguard.explain;

import io.egressguard.mesh.MeshSnapshot;

/** A hop of a walk: reads the request and the mesh configuration, adds its hop(s) to the walk. */
abstract class HopStep {

    final Walk w;
    final TraceRequest q;
    final MeshSnapshot s;

    HopStep(Walk w) {
        this.w = w;
        this.q = w.q;
        this.s = w.s;
    }
}
