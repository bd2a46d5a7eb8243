package io.egressguard.mesh;

import io.egressguard.TestMesh;
import io.egressguard.mesh.Binding;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.mesh.RouteRule;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class VirtualServiceRoutesTest {

    static List<RouteRule> routes(String spec) {
        MeshSnapshot s = TestMesh.yaml("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n"
                + "  name: vs\n  namespace: shop\nspec:\n" + spec);
        return s.routes(new ObjectRef(Kind.VIRTUAL_SERVICE, "shop", "vs"));
    }

    @Test
    void absentGatewaysMeanMesh() {
        List<RouteRule> r = routes("  hosts: [api.example.com]\n  http:\n  - route:\n    - destination: {host: api.example.com}\n");
        assertEquals(Set.of(Binding.MESH), r.get(0).bindings());
        assertNull(r.get(0).port());
    }

    @Test
    void matchGatewaysNarrowTheTopLevelListAndShortNamesUseTheVirtualServiceNamespace() {
        List<RouteRule> r = routes("""
                  hosts: [api.example.com]
                  gateways: [mesh, egress, istio-system/other]
                  http:
                  - match:
                    - gateways: [mesh]
                      port: 80
                    - gateways: [egress]
                      port: 80
                    route:
                    - destination: {host: istio-egressgateway.istio-system.svc.cluster.local, subset: a}
                  - route:
                    - destination: {host: api.example.com}
                """);
        assertEquals(3, r.size());
        assertEquals(Set.of(Binding.MESH), r.get(0).bindings());
        assertEquals(Set.of(Binding.istioGateway("shop", "egress")), r.get(1).bindings());
        assertEquals(80, r.get(1).port());
        assertEquals(Set.of(Binding.MESH, Binding.istioGateway("shop", "egress"), Binding.istioGateway("istio-system", "other")),
                r.get(2).bindings());
        assertEquals("spec.http[0].match[1]", r.get(1).path());
    }

    @Test
    void aMatchNamingAGatewayTheTopLevelListLacksIsDead() {
        List<RouteRule> r = routes("""
                  hosts: [api.example.com]
                  gateways: [egress]
                  tls:
                  - match:
                    - gateways: [mesh]
                      port: 443
                      sniHosts: [api.example.com]
                    route:
                    - destination: {host: istio-egressgateway.istio-system.svc.cluster.local}
                """);
        assertEquals(Set.of(), r.get(0).bindings());
        assertEquals(List.of("api.example.com"), r.get(0).sniHosts());
    }

    @Test
    void shortDestinationHostsExpand() {
        List<RouteRule> r = routes("  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews, port: {number: 9080}}\n");
        assertEquals(List.of("reviews.shop.svc.cluster.local"), r.get(0).hosts());
        assertEquals("reviews.shop.svc.cluster.local", r.get(0).destinations().get(0).host());
        assertEquals(9080, r.get(0).destinations().get(0).port());
    }
}
