package io.egressguard.mesh;

import io.egressguard.istio.Hosts;
import io.egressguard.TestMesh;
import io.egressguard.mesh.MeshSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The DestinationRule lookup path against cases derived from Istio's documented behaviour
 * ("Cross-namespace configuration" best practices) and pilot's {@code PushContext.destinationRule}.
 */
class DestinationRuleLookupTest {

    static final String GW = "istio-egressgateway.istio-system.svc.cluster.local";

    static String dr(String ns, String name, String host, String exportTo, String... subsets) {
        StringBuilder sb = new StringBuilder("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: "
                + name + "\n  namespace: " + ns + "\nspec:\n  host: \"" + host + "\"\n");
        if (exportTo != null) {
            sb.append("  exportTo: [").append(exportTo).append("]\n");
        }
        if (subsets.length > 0) {
            sb.append("  subsets:\n");
            for (String s : subsets) {
                sb.append("  - name: ").append(s).append('\n');
            }
        }
        return sb.toString();
    }

    /** client namespace, DRs, expected "namespace/name(s)" selected or "none", expected step. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("rule in the client namespace is found", "default",
                        List.of(dr("default", "a", GW, null, "cnn")), "default/a", "CLIENT_NAMESPACE"),
                Arguments.of("rule in another client namespace is never used", "test-egress",
                        List.of(dr("default", "a", GW, null, "cnn")), "none", null),
                Arguments.of("rule in the gateway namespace exported to all is found", "test-egress",
                        List.of(dr("istio-system", "a", GW, null, "cnn")), "istio-system/a", "SERVICE_NAMESPACE"),
                Arguments.of("gateway-namespace rule exported to '.' is hidden from clients", "test-egress",
                        List.of(dr("istio-system", "a", GW, "\".\"", "cnn")), "none", null),
                Arguments.of("gateway-namespace rule exported to the client by name is found", "test-egress",
                        List.of(dr("istio-system", "a", GW, "test-egress", "cnn")), "istio-system/a", "SERVICE_NAMESPACE"),
                Arguments.of("root-namespace rule reached at step 3 for a service elsewhere", "shop",
                        List.of(dr("istio-system", "a", "cnn-egress-gateway-istio.default.svc.cluster.local", null, "x")),
                        "istio-system/a", "ROOT_NAMESPACE"),
                Arguments.of("a wildcard in the client namespace stops the search", "default",
                        List.of(dr("default", "wild", "*.istio-system.svc.cluster.local", null),
                                dr("istio-system", "a", GW, null, "cnn")), "default/wild", "CLIENT_NAMESPACE"),
                Arguments.of("an exact host beats a wildcard in the same namespace", "default",
                        List.of(dr("default", "wild", "*.svc.cluster.local", null),
                                dr("default", "exact", GW, null, "cnn")), "default/exact", "CLIENT_NAMESPACE"),
                Arguments.of("same-host rules in one namespace merge", "default",
                        List.of(dr("default", "a", GW, null, "cnn"), dr("default", "b", GW, null, "wikipedia")),
                        "default/a,default/b", "CLIENT_NAMESPACE"),
                Arguments.of("short host is relative to the rule's namespace", "istio-system",
                        List.of(dr("istio-system", "short", "istio-egressgateway", "\".\"", "cnn")),
                        "istio-system/short", "CLIENT_NAMESPACE"),
                Arguments.of("root-namespace proxy still reaches the service namespace step", "istio-system",
                        List.of(dr("default", "svc", "cnn-egress-gateway-istio.default.svc.cluster.local", null, "x")),
                        "default/svc", "SERVICE_NAMESPACE"),
                Arguments.of("partial dotted host matches nothing", "default",
                        List.of(dr("default", "partial", "istio-egressgateway.istio-system", null, "cnn")), "none", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lookup(String name, String client, List<String> rules, String expected, String step) {
        MeshSnapshot s = TestMesh.yaml(rules.toArray(String[]::new));
        // cases whose rules name the Gateway API gateway Service look that host up; the others the Istio one
        String host = rules.get(0).contains("cnn-egress-gateway-istio") ? "cnn-egress-gateway-istio.default.svc.cluster.local" : GW;
        String svcNs = Hosts.serviceNamespace(host).orElseThrow();
        Optional<DestinationRuleLookup.Result> r = new DestinationRuleLookup(s).lookup(client, host, svcNs);
        if (expected.equals("none")) {
            assertEquals(Optional.empty(), r.map(x -> x.rules().toString()));
            return;
        }
        List<String> got = new ArrayList<>();
        r.orElseThrow().rules().forEach(d -> got.add(d.ref().namespace() + "/" + d.ref().name()));
        assertEquals(expected, String.join(",", got));
        assertEquals(step, r.get().step().name());
    }
}
