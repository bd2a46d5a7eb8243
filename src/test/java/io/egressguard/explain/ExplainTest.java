package io.egressguard.explain;

import io.egressguard.TestMesh;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces of the Egress Gateways task's own configurations (Istio API and Gateway API, HTTP and TLS, from
 * {@code default} and from {@code test-egress}) and of every broken example, to the hop that fails.
 */
class ExplainTest {

    static final Path EXAMPLES = Path.of("examples");
    static final ObjectRef TEST_EGRESS_RULE = new ObjectRef(Kind.DESTINATION_RULE, "test-egress", "egressgateway-for-cnn");
    static final ObjectRef TEST_EGRESS = new ObjectRef(Kind.NAMESPACE, null, "test-egress");

    static Trace trace(MeshSnapshot s, String from, String to) {
        return new Tracer(s).trace(TraceRequest.parse(from, to, null));
    }

    static Hop hop(Trace t, HopKind kind) {
        return t.hops().stream().filter(h -> h.kind() == kind).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " hop in\n" + TraceFormat.TEXT.render(t)));
    }

    /** The request reaches the external host through the egress gateway and no hop is broken. */
    static void assertThroughGateway(Trace t, String gateway) {
        String text = TraceFormat.TEXT.render(t);
        assertFalse(t.broken(), text);
        assertTrue(t.reached(), text);
        assertEquals(Trace.Path.EGRESS_GATEWAY, t.path(), text);
        assertTrue(hop(t, HopKind.GATEWAY_SERVER).objects().stream().anyMatch(o -> o.toString().equals(gateway)), text);
        Hop se = hop(t, HopKind.SERVICE_ENTRY);
        assertEquals(Hop.Verdict.OK, se.verdict(), text);
        assertEquals(List.of(new ObjectRef(Kind.SERVICE_ENTRY, "default", "cnn")), se.objects(), text);
        assertTrue(t.outcome().startsWith("edition.cnn.com:" + t.request().port() + " reached through egress gateway"), text);
    }

    /** The task's configurations in Istio's corpus (the test is skipped where it is absent). */
    static Path task() {
        return TestMesh.corpus().resolve("egress-gateway");
    }

    static MeshSnapshot scenario(String name) throws Exception {
        return TestMesh.files(task().resolve(name));
    }

    /** A task scenario plus the namespace test-egress and its DestinationRule, as the NetworkPolicy part adds them. */
    static MeshSnapshot withTestEgress(String name) throws Exception {
        List<Resource> resources = new ArrayList<>(new ManifestReader("default").read(task().resolve(name)).result().resources());
        for (Resource r : new ManifestReader("default").read(task().resolve("netpol-istio-api")).result().resources()) {
            if (r.ref().equals(TEST_EGRESS_RULE) || r.ref().equals(TEST_EGRESS)) {
                resources.add(r);
            }
        }
        return MeshSnapshot.of(MeshSettings.DEFAULT, resources);
    }

    // ---------------------------------------------------------------- the task, Istio API

    @Test
    void istioApiHttpFromDefault() throws Exception {
        Trace t = trace(scenario("http-istio-api"), "default", "edition.cnn.com");
        assertEquals("http", t.request().protocol());
        assertThroughGateway(t, "Gateway default/istio-egressgateway");
        Hop sidecar = hop(t, HopKind.SIDECAR_ROUTE);
        assertTrue(sidecar.summary().contains("spec.http[0].match[0]") && sidecar.summary().contains("subset cnn"), sidecar.summary());
        Hop dest = hop(t, HopKind.EGRESS_GATEWAY_SERVICE);
        assertTrue(dest.objects().contains(new ObjectRef(Kind.DESTINATION_RULE, "default", "egressgateway-for-cnn")));
        assertTrue(dest.details().stream().anyMatch(d -> d.contains("found in the client namespace")), dest.details().toString());
        assertTrue(hop(t, HopKind.GATEWAY_ROUTE).summary().contains("spec.http[1].match[0]"));
    }

    @Test
    void istioApiTlsFromDefault() throws Exception {
        Trace t = trace(scenario("https-istio-api"), "default", "edition.cnn.com:443");
        assertEquals("tls", t.request().protocol());
        assertThroughGateway(t, "Gateway default/istio-egressgateway");
        assertTrue(hop(t, HopKind.GATEWAY_SERVER).summary().contains("PASSTHROUGH"));
        assertTrue(hop(t, HopKind.GATEWAY_ROUTE).summary().contains("spec.tls[1].match[0]"));
    }

    /** Only port 80 goes through the gateway in the HTTP part: HTTPS leaves from the sidecar, as the task says. */
    @Test
    void httpsInTheHttpPartLeavesDirectly() throws Exception {
        Trace t = trace(scenario("http-istio-api"), "default", "edition.cnn.com:443");
        assertEquals(Trace.Path.DIRECT, t.path());
        assertFalse(t.broken(), TraceFormat.TEXT.render(t));
        assertTrue(t.reached());
        assertEquals(Hop.Verdict.INFO, hop(t, HopKind.SIDECAR_ROUTE).verdict());
    }

    @Test
    void istioApiFromTestEgressWithItsDestinationRule() throws Exception {
        for (String name : List.of("http-istio-api", "https-istio-api", "netpol-istio-api")) {
            boolean tls = !name.startsWith("http-");
            Trace t = trace(withTestEgress(name), "test-egress", "edition.cnn.com" + (tls ? ":443" : ""));
            assertThroughGateway(t, "Gateway default/istio-egressgateway");
            Hop dest = hop(t, HopKind.EGRESS_GATEWAY_SERVICE);
            assertTrue(dest.objects().contains(TEST_EGRESS_RULE), name + ": " + dest.objects());
            assertTrue(dest.details().stream().anyMatch(d -> d.contains("found in the client namespace (test-egress)")), name);
        }
    }

    /**
     * The task's warning: without the DestinationRule in test-egress, the lookup from test-egress searches
     * test-egress, istio-system and the root namespace, never default: subset cnn is unknown there (503).
     */
    @Test
    void istioApiFromTestEgressWithoutItsDestinationRule() throws Exception {
        for (String name : List.of("http-istio-api", "https-istio-api", "netpol-istio-api")) {
            boolean tls = !name.startsWith("http-");
            Trace t = trace(withTestEgress(name).without(TEST_EGRESS_RULE), "test-egress", "edition.cnn.com" + (tls ? ":443" : ""));
            String text = TraceFormat.TEXT.render(t);
            assertTrue(t.broken(), text);
            assertFalse(t.reached(), text);
            Hop broken = t.firstBroken().orElseThrow();
            assertEquals(HopKind.EGRESS_GATEWAY_SERVICE, broken.kind(), text);
            assertEquals("EG206", broken.code(), text);
            assertNotNull(broken.fix());
            assertTrue(broken.details().stream().anyMatch(d -> d.contains("DestinationRule default/egressgateway-for-cnn")
                    && d.contains("EG301")), text);
            assertEquals(Hop.Verdict.SKIPPED, hop(t, HopKind.GATEWAY_ROUTE).verdict(), text);
            // the same configuration still works from default
            assertThroughGateway(trace(withTestEgress(name).without(TEST_EGRESS_RULE), "default",
                    "edition.cnn.com" + (tls ? ":443" : "")), "Gateway default/istio-egressgateway");
        }
    }

    /** test-egress's NetworkPolicy: DNS over UDP only (info), istio-system allowed, the internet blocked. */
    @Test
    void networkPolicyVerdictsFromTestEgress() throws Exception {
        Trace t = trace(scenario("netpol-istio-api"), "test-egress", "edition.cnn.com:443");
        assertThroughGateway(t, "Gateway default/istio-egressgateway");
        ObjectRef policy = new ObjectRef(Kind.NETWORK_POLICY, "test-egress", "allow-egress-to-istio-system-and-kube-dns");
        Hop gateway = hop(t, HopKind.POLICY_TO_GATEWAY);
        assertEquals(Hop.Verdict.OK, gateway.verdict());
        assertEquals(List.of(policy), gateway.objects());
        Hop dns = hop(t, HopKind.POLICY_TO_DNS);
        assertEquals(Hop.Verdict.INFO, dns.verdict(), dns.summary());
        assertEquals(List.of("EG606"), dns.findings().stream().map(Finding::code).toList());
        Hop internet = hop(t, HopKind.POLICY_TO_INTERNET);
        assertEquals(Hop.Verdict.OK, internet.verdict());
        assertTrue(internet.summary().contains("blocked"), internet.summary());
        // from default, which no NetworkPolicy restricts, pods could go around the gateway
        Trace fromDefault = trace(scenario("netpol-istio-api"), "default", "edition.cnn.com:443");
        assertEquals(Hop.Verdict.INFO, hop(fromDefault, HopKind.POLICY_TO_INTERNET).verdict());
    }

    // ---------------------------------------------------------------- the task, Gateway API

    @Test
    void gatewayApiHttpAndTlsFromDefaultAndTestEgress() throws Exception {
        for (String name : List.of("http-gateway-api", "https-gateway-api", "netpol-gateway-api")) {
            boolean tls = !name.startsWith("http-");
            String to = "edition.cnn.com" + (tls ? ":443" : "");
            for (String from : List.of("default", "test-egress")) {
                Trace t = trace(withTestEgress(name).without(TEST_EGRESS_RULE), from, to);
                assertThroughGateway(t, "Gateway default/cnn-egress-gateway");
                Hop sidecar = hop(t, HopKind.SIDECAR_ROUTE);
                assertTrue(sidecar.summary().startsWith((tls ? "TLSRoute" : "HTTPRoute") + " default/direct-cnn-to-egress-gateway"),
                        sidecar.summary());
                assertTrue(sidecar.summary().contains("cnn-egress-gateway-istio.default.svc.cluster.local:" + (tls ? 443 : 80)));
                assertTrue(hop(t, HopKind.GATEWAY_ROUTE).summary().startsWith((tls ? "TLSRoute" : "HTTPRoute")
                        + " default/forward-cnn-from-egress-gateway"));
            }
        }
    }

    @Test
    void gatewayApiNetworkPolicyAllowsTheGatewayNamespace() throws Exception {
        Trace t = trace(scenario("netpol-gateway-api"), "test-egress", "edition.cnn.com:443");
        Hop gateway = hop(t, HopKind.POLICY_TO_GATEWAY);
        assertEquals(Hop.Verdict.OK, gateway.verdict());
        assertTrue(gateway.summary().contains("(default, pod port 443)"), gateway.summary());
        assertEquals(Hop.Verdict.OK, hop(t, HopKind.POLICY_TO_INTERNET).verdict());
    }

    // ---------------------------------------------------------------- the other egress tasks

    /** TLS origination at the gateway: HTTP on 80 from the sidecar, TLS to 443 from the gateway's DestinationRule. */
    @Test
    void tlsOriginationAtTheGateway() throws Exception {
        Trace t = trace(TestMesh.files(TestMesh.corpus().resolve("egress-gateway-tls-origination/tls-istio-api")),
                "default", "edition.cnn.com");
        assertFalse(t.broken(), TraceFormat.TEXT.render(t));
        assertTrue(t.outcome().startsWith("edition.cnn.com:443 reached through egress gateway"), t.outcome());
        Hop route = hop(t, HopKind.GATEWAY_ROUTE);
        assertTrue(route.objects().contains(new ObjectRef(Kind.DESTINATION_RULE, "default", "originate-tls-for-edition-cnn-com")),
                route.objects().toString());
    }

    /** A Kubernetes Service behind the egress gateway needs no ServiceEntry: it is in the registry by itself. */
    @Test
    void kubernetesServiceBehindTheGateway() throws Exception {
        Trace t = trace(TestMesh.files(TestMesh.corpus().resolve("egress-gateway-tls-origination/mtls-istio-api")),
                "default", "my-nginx.mesh-external.svc.cluster.local");
        assertFalse(t.broken(), TraceFormat.TEXT.render(t));
        assertEquals(List.of(new ObjectRef(Kind.SERVICE, "mesh-external", "my-nginx")), hop(t, HopKind.SERVICE_ENTRY).objects());
    }

    /**
     * Every configuration of Istio's egress tasks works: traced from default to every host and port its
     * ServiceEntries declare, no hop is broken.
     */
    @TestFactory
    Stream<DynamicTest> everyTaskConfigurationTracesWithoutABrokenHop() throws IOException {
        List<Path> scenarios;
        try (Stream<Path> st = Files.walk(TestMesh.corpus())) {
            scenarios = st.filter(p -> p.getFileName().toString().equals("config.yaml")).map(Path::getParent).sorted().toList();
        }
        assertFalse(scenarios.isEmpty());
        return scenarios.stream().map(dir -> DynamicTest.dynamicTest(TestMesh.corpus().relativize(dir).toString(), () -> {
            MeshSnapshot s = TestMesh.files(dir);
            for (var se : s.serviceEntries()) {
                for (String host : se.hosts()) {
                    if (host.startsWith("*")) {
                        continue;
                    }
                    for (int port : se.ports().keySet()) {
                        Trace t = trace(s, "default", host + ":" + port);
                        assertFalse(t.broken(), TraceFormat.TEXT.render(t));
                    }
                }
            }
        }));
    }

    // ---------------------------------------------------------------- examples

    @Test
    void correctExamplesReachTheirHosts() throws Exception {
        MeshSnapshot s = TestMesh.files(EXAMPLES.resolve("cluster"), EXAMPLES.resolve("correct"));
        Map<String, ObjectRef> gateways = Map.of(
                "api.github.com", new ObjectRef(Kind.GATEWAY, "default", "github-egress"),
                "registry.npmjs.org:443", new ObjectRef(Kind.GATEWAY, "default", "npm-egress"),
                "httpbin.org", new ObjectRef(Kind.KUBERNETES_GATEWAY, "default", "httpbin-egress"),
                "pypi.org:443", new ObjectRef(Kind.KUBERNETES_GATEWAY, "default", "pypi-egress"));
        for (var e : gateways.entrySet()) {
            for (String from : List.of("default", "payments")) {
                Trace t = trace(s, from, e.getKey());
                String text = TraceFormat.TEXT.render(t);
                assertFalse(t.broken(), text);
                assertTrue(t.reached(), text);
                assertTrue(hop(t, HopKind.GATEWAY_SERVER).objects().contains(e.getValue()), text);
            }
        }
    }

    /** Who sends in each broken example: the namespace the pitfall hurts. */
    static final Map<String, String> CLIENTS = Map.of(
            "destination-rule-wrong-namespace.yaml", "team-b",
            "networkpolicy-no-dns.yaml", "reporting",
            "networkpolicy-unlabelled-kube-system.yaml", "billing");

    static final Pattern EXPECTED = Pattern.compile("(EG\\d{3}) \\(");
    static final Pattern SE_HOST_PORT = Pattern.compile(
            "kind: ServiceEntry\\n(?:.*\\n)*?  hosts:\\n  - (\\S+)\\n  ports:\\n  - number: (\\d+)\\n    name: \\S+\\n    protocol: (\\S+)");

    /**
     * Every broken example, traced from the namespace it hurts to the host of its ServiceEntry: the first
     * broken hop names one of the codes the example's header expects, and every expected code shows on the
     * broken hops (their code, their findings, or their explanation).
     */
    @TestFactory
    Stream<DynamicTest> brokenExamplesBreakAtTheExpectedHop() throws IOException {
        List<Path> files;
        try (Stream<Path> st = Files.list(EXAMPLES.resolve("broken"))) {
            files = st.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (String f : CLIENTS.keySet()) {
            assertTrue(Files.exists(EXAMPLES.resolve("broken").resolve(f)), f);
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String text = Files.readString(f);
            Set<String> expected = new TreeSet<>();
            for (String line : text.lines().toList()) {
                if (line.startsWith("# Expected findings:")) {
                    Matcher m = EXPECTED.matcher(line);
                    while (m.find()) {
                        expected.add(m.group(1));
                    }
                }
            }
            assertFalse(expected.isEmpty());
            Matcher se = SE_HOST_PORT.matcher(text);
            assertTrue(se.find(), "no ServiceEntry in " + f);
            String protocol = se.group(3).equals("HTTP") ? "http" : "tls";
            TraceRequest q = TraceRequest.parse(CLIENTS.getOrDefault(f.getFileName().toString(), "default"),
                    se.group(1) + ":" + se.group(2), protocol);
            Trace t = new Tracer(TestMesh.files(f)).trace(q);
            String out = TraceFormat.TEXT.render(t);
            assertTrue(t.broken(), out);
            Hop first = t.firstBroken().orElseThrow();
            assertTrue(expected.contains(first.code()), "first broken hop " + first.code() + ", expected one of " + expected
                    + "\n" + out);
            assertNotNull(first.fix(), out);
            Set<String> shown = new TreeSet<>();
            for (Hop h : t.hops()) {
                if (h.verdict() != Hop.Verdict.BROKEN) {
                    continue;
                }
                shown.add(h.code());
                h.findings().forEach(x -> shown.add(x.code()));
                for (String code : expected) {
                    if (h.details().stream().anyMatch(d -> d.contains(code))) {
                        shown.add(code);
                    }
                }
            }
            assertTrue(shown.containsAll(expected), "expected " + expected + " on broken hops, got " + shown + "\n" + out);
        }));
    }

    /**
     * Istio hands a sidecar the VirtualServices visible in its namespace, those private to the namespace
     * first, then the public ones; for one host the first wins, later ones are ignored on that sidecar.
     */
    @Test
    void sidecarAppliesTheNamespacePrivateVirtualServiceFirst() {
        MeshSnapshot s = TestMesh.yaml("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api, namespace: shared}
                spec:
                  hosts: [api.example.com]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: DNS
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: public-timeout, namespace: shared, creationTimestamp: "2024-01-01T00:00:00Z"}
                spec:
                  hosts: [api.example.com]
                  http:
                  - route: [{destination: {host: api.example.com}}]
                    timeout: 5s
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: team-only, namespace: team, creationTimestamp: "2025-01-01T00:00:00Z"}
                spec:
                  hosts: [api.example.com]
                  exportTo: ["."]
                  http:
                  - route: [{destination: {host: api.example.com}}]
                    timeout: 1s
                """);
        Trace team = trace(s, "team", "api.example.com");
        Hop sidecar = hop(team, HopKind.SIDECAR_ROUTE);
        assertEquals(List.of(new ObjectRef(Kind.VIRTUAL_SERVICE, "team", "team-only")), sidecar.objects());
        assertTrue(sidecar.details().stream().anyMatch(d -> d.startsWith("ignored: VirtualService shared/public-timeout")),
                sidecar.details().toString());
        Trace other = trace(s, "other", "api.example.com");
        Hop otherSidecar = hop(other, HopKind.SIDECAR_ROUTE);
        assertEquals(List.of(new ObjectRef(Kind.VIRTUAL_SERVICE, "shared", "public-timeout")), otherSidecar.objects());
        assertTrue(otherSidecar.details().stream().anyMatch(d -> d.contains("team-only is not exported to other")),
                otherSidecar.details().toString());
        assertEquals(Trace.Path.DIRECT, other.path());
        assertFalse(other.broken(), TraceFormat.TEXT.render(other));
    }

    /** Every broken hop names a rule code and a fix. */
    @Test
    void brokenHopsNameCodeAndFix() throws Exception {
        MeshSnapshot s = withTestEgress("netpol-istio-api").without(TEST_EGRESS_RULE);
        for (Trace t : List.of(trace(s, "test-egress", "edition.cnn.com:443"),
                trace(TestMesh.files(EXAMPLES.resolve("broken/partial-host.yaml")), "default", "api.sendgrid.com:443"))) {
            for (Hop h : t.hops()) {
                if (h.verdict() == Hop.Verdict.BROKEN) {
                    assertNotNull(h.code(), h.summary());
                    assertNotNull(h.fix(), h.summary());
                }
            }
        }
    }

    /**
     * A Sidecar with a workloadSelector scopes the pods it selects instead of their namespace's: payments' billing
     * pods do not import the route to the egress gateway (REGISTRY_ONLY: BlackHoleCluster), its other pods do.
     */
    @Test
    void aSidecarSelectingThePodScopesIt() throws Exception {
        MeshSnapshot s = MeshSnapshot.of(io.egressguard.mesh.MeshSettings.DEFAULT, new ManifestReader("default")
                .read(Path.of("src/test/resources/rules/EG214/fail-selector-sidecar-leaves-out-egress-namespace.yaml"))
                .result().resources());
        Trace billing = trace(s, "payments/app=billing", "api.stripe.com:80");
        String text = TraceFormat.TEXT.render(billing);
        assertFalse(billing.reached(), text);
        assertTrue(text.contains("Sidecar payments/billing does not import") && text.contains("BlackHoleCluster"), text);
        for (String other : List.of("payments", "payments/app=ledger")) {
            Trace t = trace(s, other, "api.stripe.com:80");
            assertEquals(Trace.Path.EGRESS_GATEWAY, t.path(), TraceFormat.TEXT.render(t));
            assertTrue(t.reached(), TraceFormat.TEXT.render(t));
        }
    }
}
