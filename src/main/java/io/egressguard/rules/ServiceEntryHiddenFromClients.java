package io.egressguard.rules;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.mesh.Section;
import io.egressguard.mesh.ServiceEntryInfo;
import io.egressguard.model.Resource;

/**
 * EG104: a ServiceEntry hidden by its exportTo from client namespaces whose sidecars route its host with a
 * {@code tls} or {@code tcp} route (or {@code http} on a port other than 80). A sidecar builds listeners only
 * for the services exported to its namespace (pilot {@code PushContext.servicesExportedToNamespace},
 * {@code IsServiceVisible}): its own namespace's only when their exportTo lists {@code .}. Without the listener
 * the route is never used and the host leaves directly.
 */
final class ServiceEntryHiddenFromClients implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG104;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        MeshSnapshot s = ctx.snapshot();
        ServiceEntryInfo se = s.serviceEntry(target.ref()).orElse(null);
        if (se == null || se.exportTo().isPublic()) {
            return;
        }
        for (String host : se.hosts()) {
            for (RouteRule r : s.meshRoutesFor(host)) {
                boolean needsListener = r.section() != Section.HTTP || r.port() != null && r.port() != 80;
                if (!needsListener) {
                    continue;
                }
                for (String client : s.clientNamespaces(r)) {
                    if (!se.exportTo().visibleTo(client) && s.serviceEntryFor(host, client).isEmpty()) {
                        ctx.report("spec.exportTo", "sidecars in " + client + " bypass the gateway: this entry is hidden "
                                + "from them, so their " + r.section().field() + " route for " + host
                                + (r.port() == null ? "" : ":" + r.port()) + " has no listener", r.source());
                        return;
                    }
                }
            }
        }
    }
}
