package io.egressguard;

import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;
import io.fabric8.istio.api.api.networking.v1alpha3.ServerTLSSettingsTLSmode;
import io.fabric8.istio.api.api.networking.v1alpha3.ServiceEntryResolution;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.ServiceEntry;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Recall on Istio's own working configurations: break one object the way users do, and the pitfall is found
 * (and only the findings that pitfall explains).
 */
class CorpusMutationTest {

    record Mutation(String scenario, String description, Kind kind, String namespace, String name,
            Consumer<HasMetadata> change, Set<String> expected) {
    }

    static List<Mutation> mutations() {
        return List.of(
                new Mutation("egress-gateway/http-istio-api", "resolution NONE", Kind.SERVICE_ENTRY, "default", "cnn",
                        o -> ((ServiceEntry) o).getSpec().setResolution(ServiceEntryResolution.NONE),
                        Set.of("EG101 ServiceEntry default/cnn", "EG101 VirtualService default/direct-cnn-through-egress-gateway")),
                new Mutation("egress-gateway/https-istio-api", "unset resolution (NONE by default)", Kind.SERVICE_ENTRY,
                        "default", "cnn", o -> ((ServiceEntry) o).getSpec().setResolution(null),
                        Set.of("EG101 ServiceEntry default/cnn", "EG101 VirtualService default/direct-cnn-through-egress-gateway")),
                new Mutation("egress-gateway/http-istio-api", "mesh dropped from gateways", Kind.VIRTUAL_SERVICE, "default",
                        "direct-cnn-through-egress-gateway",
                        o -> ((VirtualService) o).getSpec().setGateways(List.of("istio-egressgateway")),
                        Set.of("EG201 VirtualService default/direct-cnn-through-egress-gateway")),
                new Mutation("egress-gateway/http-istio-api", "partial gateway host", Kind.VIRTUAL_SERVICE, "default",
                        "direct-cnn-through-egress-gateway",
                        o -> ((VirtualService) o).getSpec().getHttp().get(0).getRoute().get(0).getDestination()
                                .setHost("istio-egressgateway.istio-system"),
                        Set.of("EG213 VirtualService default/direct-cnn-through-egress-gateway",
                                "EG205 VirtualService default/direct-cnn-through-egress-gateway")),
                new Mutation("egress-gateway/http-istio-api", "mesh route without its gateway match", Kind.VIRTUAL_SERVICE,
                        "default", "direct-cnn-through-egress-gateway",
                        o -> ((VirtualService) o).getSpec().getHttp().get(0).setMatch(null),
                        Set.of("EG202 VirtualService default/direct-cnn-through-egress-gateway")),
                new Mutation("egress-gateway/netpol-istio-api", "test-egress loses its DestinationRule",
                        Kind.DESTINATION_RULE, "test-egress", "egressgateway-for-cnn", null,
                        Set.of("EG206 VirtualService default/direct-cnn-through-egress-gateway",
                                "EG301 DestinationRule default/egressgateway-for-cnn")),
                new Mutation("egress-gateway/netpol-istio-api", "kube-system never labelled", Kind.NAMESPACE, "",
                        "kube-system", o -> ((Namespace) o).getMetadata().getLabels().remove("kube-system"),
                        Set.of("EG601 NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns",
                                "EG603 NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns")),
                new Mutation("egress-gateway/netpol-istio-api", "istio-system never labelled", Kind.NAMESPACE, "",
                        "istio-system", o -> ((Namespace) o).getMetadata().getLabels().remove("istio"),
                        Set.of("EG602 NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns",
                                "EG603 NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns",
                                "EG604 NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns")),
                new Mutation("egress-gateway/netpol-gateway-api", "default not labelled gateway=true", Kind.NAMESPACE, "",
                        "default", o -> ((Namespace) o).getMetadata().getLabels().remove("gateway"),
                        Set.of("EG603 NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns",
                                "EG604 NetworkPolicy test-egress/allow-egress-to-istio-system-and-kube-dns")),
                new Mutation("egress-gateway/https-istio-api", "gateway terminates TLS", Kind.GATEWAY, "default",
                        "istio-egressgateway",
                        o -> ((Gateway) o).getSpec().getServers().get(0).getTls().setMode(ServerTLSSettingsTLSmode.SIMPLE),
                        Set.of("EG403 Gateway default/istio-egressgateway",
                                "EG209 VirtualService default/direct-cnn-through-egress-gateway")),
                new Mutation("egress-gateway/http-gateway-api", "no ClusterIP annotation", Kind.KUBERNETES_GATEWAY,
                        "default", "cnn-egress-gateway", o -> o.getMetadata().getAnnotations().clear(),
                        Set.of("EG501 Gateway default/cnn-egress-gateway")),
                new Mutation("egress-gateway/https-gateway-api", "listener hostname differs", Kind.KUBERNETES_GATEWAY,
                        "default", "cnn-egress-gateway",
                        o -> ((io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway) o).getSpec().getListeners().get(0)
                                .setHostname("www.cnn.com"),
                        Set.of("EG505 TLSRoute default/forward-cnn-from-egress-gateway")));
    }

    @TestFactory
    Stream<DynamicTest> brokenCorpusConfigurationsAreFound() {
        TestMesh.corpus(); // skipped where Istio's configurations are absent
        return mutations().stream().map(m -> DynamicTest.dynamicTest(m.scenario() + ": " + m.description(), () -> {
            ManifestReader reader = new ManifestReader("default").read(TestMesh.corpus().resolve(m.scenario()));
            List<Resource> resources = new ArrayList<>();
            boolean found = false;
            for (Resource r : reader.result().resources()) {
                boolean target = r.kind() == m.kind() && r.ref().name().equals(m.name()) && r.ref().namespace().equals(m.namespace());
                found |= target;
                if (target && m.change() == null) {
                    continue; // deleted
                }
                if (target) {
                    m.change().accept(r.object());
                }
                resources.add(r);
            }
            assertEquals(true, found, "object to break not found in " + m.scenario());
            Set<String> actual = new TreeSet<>();
            for (Finding f : TestMesh.check(MeshSnapshot.of(MeshSettings.DEFAULT, resources))) {
                if (f.severity() != Severity.INFO) {
                    actual.add(f.code() + " " + f.object());
                }
            }
            assertEquals(new TreeSet<>(m.expected()), actual);
        }));
    }
}
