package io.egressguard.fidelity;

import io.egressguard.TestMesh;
import io.egressguard.explain.Hop;
import io.egressguard.explain.HopKind;
import io.egressguard.explain.Trace;
import io.egressguard.explain.TraceFormat;
import io.egressguard.explain.TraceRequest;
import io.egressguard.explain.Tracer;
import io.egressguard.mesh.MeshSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fidelity cases that are paths, traced by {@code explain}: where the request goes is what pilot's
 * configuration makes of it (the case files are under {@code src/test/resources/fidelity/}).
 */
class FidelityPathsTest {

    static Trace trace(String fixture, String from, String to, String protocol) throws Exception {
        MeshSnapshot s = TestMesh.files(Path.of("examples", "cluster"), FidelityTest.ROOT.resolve(fixture + ".yaml"));
        return new Tracer(s).trace(TraceRequest.parse(from, to, protocol));
    }

    static void throughGateway(Trace t) {
        String text = TraceFormat.TEXT.render(t);
        assertEquals(Trace.Path.EGRESS_GATEWAY, t.path(), text);
        assertTrue(t.reached(), text);
        assertFalse(t.broken(), text);
    }

    static void direct(Trace t) {
        assertEquals(Trace.Path.DIRECT, t.path(), TraceFormat.TEXT.render(t));
    }

    /** D1: the sourceLabels match applies to pods labelled app=curl only; the gateway skips it. */
    @Test
    void sourceLabelsScopeTheMeshHop() throws Exception {
        throughGateway(trace("D1", "default/app=curl", "edition.cnn.com:80", "http"));
        assertTrue(TraceFormat.TEXT.render(trace("D1", "default", "edition.cnn.com:80", "http")).contains("sourceLabels"));
    }

    /** D4: a consumer HTTPRoute of team-a applies to team-a's sidecars only. */
    @Test
    void consumerRoutesApplyToTheirNamespaceOnly() throws Exception {
        throughGateway(trace("D4", "team-a", "edition.cnn.com:80", "http"));
        direct(trace("D4", "team-b", "edition.cnn.com:80", "http"));
    }

    /**
     * M1: default's Sidecar imports neither the VirtualService nor the ServiceEntry of egress-config, and its
     * outboundTrafficPolicy is REGISTRY_ONLY: BlackHoleCluster, the request goes nowhere.
     */
    @Test
    void sidecarNotImportingTheRouteBlackholes() throws Exception {
        Trace t = trace("M1", "default", "edition.cnn.com:80", "http");
        String text = TraceFormat.TEXT.render(t);
        assertFalse(t.reached(), text);
        assertTrue(text.contains("does not import") && text.contains("BlackHoleCluster"), text);
        assertTrue(text.contains("EG214"), text);
    }

    /** M2: the tls route is imported, the ServiceEntry is not: no listener, ALLOW_ANY passes it through directly. */
    @Test
    void sidecarNotImportingTheEntryGoesDirect() throws Exception {
        Trace t = trace("M2", "default", "registry.npmjs.org:443", "tls");
        direct(t);
        assertTrue(TraceFormat.TEXT.render(t).contains("EG215"), TraceFormat.TEXT.render(t));
    }

    /** M3 (B's configuration in the file): the imported VirtualService brings its destinations into scope; the gateway path works. */
    @Test
    void tightSidecarThatWorks() throws Exception {
        throughGateway(trace("M3", "default", "edition.cnn.com:80", "http"));
    }

    /**
     * M15: the root namespace's Sidecar imports ./* and istio-system/*: team-a applies its own route to the egress
     * gateway, default does not import it and sends the host directly (ALLOW_ANY).
     */
    @Test
    void rootSidecarScopesEachNamespaceToItsOwnRoutes() throws Exception {
        throughGateway(trace("M15", "team-a", "edition.cnn.com:80", "http"));
        direct(trace("M15", "default", "edition.cnn.com:80", "http"));
    }

    /**
     * M13: an ambient namespace has no sidecar: ztunnel takes the traffic to the waypoint the ServiceEntry's
     * namespace enrols it in. One info hop, never "directly", no NetworkPolicy verdict toward the host.
     */
    @Test
    void ambientNamespaceGoesThroughTheWaypoint() throws Exception {
        Trace t = trace("M13", "default", "httpbin.org:80", "http");
        String text = TraceFormat.TEXT.render(t);
        assertEquals(Trace.Path.AMBIENT, t.path(), text);
        assertFalse(t.broken(), text);
        assertEquals(List.of(HopKind.ZTUNNEL), t.hops().stream().map(Hop::kind).toList(), text);
        assertTrue(text.contains("waypoint Gateway istio-egress/waypoint over HBONE"), text);
        assertFalse(text.contains("directly"), text);
    }

    /** M14: the waypoint does not admit default's ServiceEntry: ztunnel goes without it, and explain says why. */
    @Test
    void ambientEntryDeniedByTheWaypoint() throws Exception {
        String text = TraceFormat.TEXT.render(trace("M14", "default", "api.example.com:443", "tls"));
        assertTrue(text.contains("without a waypoint") && text.contains("admits only its own namespace"), text);
    }

    /**
     * P7: a newer ServiceEntry declares edition.cnn.com:80 as TCP besides the HTTP one: pilot builds no HTTP route
     * for the host on that port, and the sidecar passes the request through (pilot's simulation).
     */
    @Test
    void opaqueDeclarationDisablesTheHttpRoute() throws Exception {
        Trace t = trace("P7", "default", "edition.cnn.com:80", "http");
        direct(t);
        assertTrue(TraceFormat.TEXT.render(t).contains("as TCP"), TraceFormat.TEXT.render(t));
    }

    /** M5: exported to istio-system only, the entry is hidden from its own namespace too: no listener, direct. */
    @Test
    void entryHiddenFromItsOwnNamespace() throws Exception {
        direct(trace("M5", "default", "registry.npmjs.org:443", "tls"));
    }

    /** D5: Service port 80 targets 8080, where the server on 8080 listens; the gateway route matches 8080. */
    @Test
    void serverOnTheTargetPort() throws Exception {
        throughGateway(trace("D5", "default", "edition.cnn.com:80", "http"));
    }

    /** D6, D7: delegated gateway and mesh hops. */
    @Test
    void delegatedHops() throws Exception {
        throughGateway(trace("D6", "default", "edition.cnn.com:80", "http"));
        throughGateway(trace("D7", "default", "edition.cnn.com:80", "http"));
    }

    /** D8: the legacy FQDN gateway name binds the gateway hop. */
    @Test
    void legacyGatewayNames() throws Exception {
        throughGateway(trace("D8", "default", "edition.cnn.com:80", "http"));
    }

    /** D10: the gateway applies the rule whose workloadSelector selects its pods. */
    @Test
    void workloadSelectorRuleAtTheGateway() throws Exception {
        Trace t = trace("D10", "default", "edition.cnn.com:80", "http");
        String text = TraceFormat.TEXT.render(t);
        assertTrue(text.contains("istio-system/originate-tls-at-egress"), text);
        assertFalse(text.contains("applies DestinationRule default/cnn-limits"), text);
    }

    /** M6: on a TCP port sidecars build no SNI chain: the tls route never applies, the host leaves directly. */
    @Test
    void tlsRouteOnTcpPortIsBypassed() throws Exception {
        direct(trace("M6", "default", "registry.npmjs.org:443", "tls"));
    }

    /** M4: the ServiceEntry is hidden from default: no listener, the tls route is never used. */
    @Test
    void hiddenServiceEntryIsBypassed() throws Exception {
        direct(trace("M4", "default", "registry.npmjs.org:443", "tls"));
    }

    /** D17: only a wildcard ServiceEntry: the gateway has no cluster for the exact host. */
    @Test
    void wildcardEntryServesNoGatewayRoute() throws Exception {
        Trace t = trace("D17", "default", "www.wikipedia.org:443", "tls");
        assertTrue(t.broken(), TraceFormat.TEXT.render(t));
    }
}
