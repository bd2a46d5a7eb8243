package io.egressguard.rules;

import io.egressguard.mesh.GatewayApiRoutes;
import io.egressguard.istio.Hosts;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.GatewayWorkload;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteDestination;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Checks of Gateway API egress configurations (EG501 to EG505). */
final class GatewayApiRules {

    static final String SERVICE_TYPE_ANNOTATION = "networking.istio.io/service-type";

    private GatewayApiRules() {
    }

    static List<ParentReference> parentRefs(HasMetadata route) {
        return GatewayApiRoutes.parentRefs(route);
    }

    static List<String> hostnames(HasMetadata route) {
        return GatewayApiRoutes.hostnames(route);
    }

    /** EG501: without {@code networking.istio.io/service-type: ClusterIP}, Istio exposes the gateway as a LoadBalancer. */
    static final class ExposedEgressGateway implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG501;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            Gateway g = (Gateway) target.object();
            Binding b = Binding.kubernetesGateway(target.ref().namespace(), target.ref().name());
            if (!ctx.snapshot().isEgressGateway(b)) {
                return;
            }
            // Istio reads the Service type from metadata.annotations only; spec.infrastructure.annotations are
            // merely copied onto the generated objects (pilot DeploymentController.configureIstioGateway).
            String type = annotation(g.getMetadata().getAnnotations());
            if (type == null && g.getSpec() != null && g.getSpec().getInfrastructure() != null
                    && g.getSpec().getInfrastructure().getParametersRef() != null) {
                // the parametersRef ConfigMap's "service" overlay may set the type (pilot applyOverlay); it is
                // not part of the state read here, so nothing is claimed
                return;
            }
            if (!"ClusterIP".equals(type)) {
                ctx.report("metadata.annotations", "reachable from outside the cluster: egress Gateway without "
                        + SERVICE_TYPE_ANNOTATION + ": ClusterIP gets a " + (type == null ? "LoadBalancer" : type)
                        + " Service");
            }
        }

        private static String annotation(Map<String, String> a) {
            return a == null ? null : a.get(SERVICE_TYPE_ANNOTATION);
        }
    }

    /** EG502: a parentRef names a ServiceEntry that does not exist. */
    static final class ParentServiceEntryNotFound implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG502;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            List<ParentReference> refs = parentRefs(target.object());
            for (int i = 0; i < refs.size(); i++) {
                ParentReference p = refs.get(i);
                if (p == null || p.getName() == null
                        || !GatewayApiRoutes.isServiceEntryRef(GatewayApiRoutes.group(p.getGroup(), ""), p.getKind())) {
                    continue;
                }
                String ns = p.getNamespace() == null ? target.ref().namespace() : p.getNamespace();
                ObjectRef se = new ObjectRef(Kind.SERVICE_ENTRY, ns, p.getName());
                if (ctx.snapshot().serviceEntry(se).isEmpty()) {
                    ctx.report("spec.parentRefs[" + i + "]", "applies to no host: parent " + se + " does not exist");
                }
            }
        }
    }

    /** EG503: a mesh route's backend {@code <gw>-istio} is not the Service of a Gateway of class istio, or misses its ports. */
    static final class BackendNotGatewayService implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG503;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            String suffix = "-" + s.settings().gatewayClassName();
            for (RouteRule r : s.routes(target.ref())) {
                if (!r.appliesToMesh()) {
                    continue;
                }
                for (RouteDestination d : r.destinations()) {
                    if (!"Service".equals(d.kind())) {
                        continue;
                    }
                    String name = d.host().split("\\.")[0];
                    if (!name.endsWith(suffix)) {
                        continue;
                    }
                    Optional<GatewayWorkload> w = s.workload(d.host())
                            .filter(x -> x.bindings().stream().anyMatch(b -> b.type() == Binding.Type.KUBERNETES_GATEWAY));
                    if (w.isEmpty()) {
                        if (s.service(d.host()).isEmpty()) {
                            String gw = name.substring(0, name.length() - suffix.length());
                            ctx.report(d.path(), "never reaches an egress gateway: backend " + name + " is no egress gateway "
                                    + "Service, no Gateway " + gw + " of class " + s.settings().gatewayClassName() + " in " + Hosts.serviceNamespace(d.host()).orElse(""));
                            return;
                        }
                        continue;
                    }
                    if (d.port() != null && w.get().servers().stream().noneMatch(srv -> srv.port() == d.port())) {
                        ctx.report(d.path() + ".port", "the gateway drops this traffic: port " + d.port()
                                + " is no listener port of Gateway " + w.get().bindings().iterator().next());
                        return;
                    }
                }
            }
        }
    }

    /** EG504: a {@code Hostname} backend whose host or port no ServiceEntry declares. */
    static final class HostnameBackendWithoutServiceEntry implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG504;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            for (RouteRule r : s.routes(target.ref())) {
                for (Binding b : r.bindings()) {
                    if (b.isMesh()) {
                        continue;
                    }
                    String proxyNs = EgressHops.proxyNamespace(s, b);
                    for (RouteDestination d : r.destinations()) {
                        if (!"Hostname".equals(d.kind())) {
                            continue;
                        }
                        var se = s.exactServiceEntryFor(d.host(), proxyNs);
                        if (se.isEmpty()) {
                            ctx.report(d.path(), "the gateway cannot forward: Hostname backend " + d.host()
                                    + " is declared by no ServiceEntry");
                            return;
                        }
                        if (d.port() != null && !se.get().ports().isEmpty() && !se.get().ports().containsKey(d.port())) {
                            ctx.report(d.path() + ".port", "the gateway cannot forward: port " + d.port() + " of " + d.host()
                                    + " is not declared by " + se.get().ref(), se.get().ref());
                            return;
                        }
                    }
                }
            }
        }
    }

    /** EG505: the route cannot attach to any listener of its parent Gateway. */
    static final class UnsupportedBackend implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG506;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            List<GatewayApiRoutes.Rule> rules = GatewayApiRoutes.backends(target.object());
            for (int i = 0; i < rules.size(); i++) {
                List<GatewayApiRoutes.Backend> bs = rules.get(i).backends();
                for (int j = 0; j < bs.size(); j++) {
                    GatewayApiRoutes.Backend b = bs.get(j);
                    if (GatewayApiRoutes.isUnsupportedBackend(b.group(), b.kind())) {
                        ctx.report("spec.rules[" + i + "].backendRefs[" + j + "]", "no destination (HTTP answers 500): "
                                + "kind " + b.kind() + " is not a backend Istio supports; use kind Hostname");
                        return;
                    }
                }
            }
        }
    }

    static final class RouteCannotAttach implements Rule {
        @Override
        public Catalogue code() {
            return Catalogue.EG505;
        }

        @Override
        public void check(Resource target, RuleContext ctx) {
            MeshSnapshot s = ctx.snapshot();
            List<ParentReference> refs = parentRefs(target.object());
            for (int i = 0; i < refs.size(); i++) {
                ParentReference p = refs.get(i);
                if (p == null || p.getName() == null || !GatewayApiRoutes.isGatewayRef(p)) {
                    continue;
                }
                Binding b = GatewayApiRoutes.gatewayBinding(target.ref(), p);
                Optional<String> reason = GatewayApiRoutes.attachmentProblem(s, target, p);
                if (reason.isPresent()) {
                    ctx.report("spec.parentRefs[" + i + "]", "route not attached: " + reason.get(),
                            s.gateway(b).map(List::of).orElse(List.of()));
                }
            }
        }
    }
}
