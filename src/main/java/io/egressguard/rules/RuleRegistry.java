package io.egressguard.rules;

import java.util.List;

/** Every rule of the catalogue, in code order. */
public final class RuleRegistry {

    private static final List<Rule> ALL = List.of(
            new UnknownField(),
            new ResolutionNoneLoop(),
            new GatewayPortNotInServiceEntry(),
            new ServiceEntryProtocolMismatch(),
            new ServiceEntryHiddenFromClients(),
            new ServiceEntryDeclarations.TcpWithoutAddresses(),
            new ServiceEntryDeclarations.ConflictingProtocol(),
            new ServiceEntryDeclarations.WaypointNotUsed(),
            new GatewayWithoutMeshRoute(),
            RouteAppliesToMeshAndGateway.loop(),
            RouteAppliesToMeshAndGateway.bypass(),
            new MeshRouteWithoutGatewayRoute(),
            new GatewayRouteWithoutMeshRoute(),
            new SubsetNotFound(),
            new GatewayNotFound(),
            new HostsNotServedByGateway(),
            new RouteSectionMismatch(),
            new EgressGatewayPortNotExposed(),
            new ExportToHidesVirtualService(),
            new GatewayHostWithoutServiceEntry(),
            new PartialServiceName(),
            new SidecarImports.MeshRouteNotImported(),
            new SidecarImports.ServiceEntryNotImported(),
            new MeshRouteShadowed(),
            new SubsetRuleOutOfReach(),
            new SubsetRuleExportHidden(),
            new SubsetShadowed(),
            new DuplicateDestinationRules(),
            new UnverifiedTlsOrigination(),
            new DestinationRuleTargets.UnregisteredHost(),
            new DestinationRuleTargets.SubsetSelectsNoGatewayPod(),
            new EgressGatewayRules.SelectsNoWorkload(),
            new EgressGatewayRules.PortNotExposed(),
            new EgressGatewayRules.TlsModeContradictsRoutes(),
            new EgressGatewayRules.WithoutSelector(),
            new EgressGatewayRules.DuplicateTlsServer(),
            new EgressGatewayRules.TlsServerWithoutTls(),
            new GatewayApiRules.ExposedEgressGateway(),
            new GatewayApiRules.ParentServiceEntryNotFound(),
            new GatewayApiRules.BackendNotGatewayService(),
            new GatewayApiRules.HostnameBackendWithoutServiceEntry(),
            new GatewayApiRules.RouteCannotAttach(),
            new GatewayApiRules.UnsupportedBackend(),
            new NetworkPolicyRules.BlocksDns(),
            new NetworkPolicyRules.BlocksControlPlane(),
            new NetworkPolicyRules.SelectorMatchesNoNamespace(),
            new NetworkPolicyRules.BlocksEgressGateway(),
            new NetworkPolicyRules.AllowsBypass(),
            new NetworkPolicyRules.DnsUdpOnly(),
            new UnguardedEgressNamespace());

    private RuleRegistry() {
    }

    public static List<Rule> all() {
        return ALL;
    }

    /**
     * Computes the indexes rules share across objects (which client namespaces reach which egress gateway
     * subset, which namespaces the policies' namespaceSelectors match, where the Sidecars are), so that the first request on a new
     * snapshot does not pay for them. Call where snapshots are built, off the request path.
     */
    public static void prepare(io.egressguard.mesh.MeshSnapshot s) {
        NetworkPolicyRules.SelectorMatchesNoNamespace.prepare(s);
        io.egressguard.mesh.ImportedRoutes.sidecarNamespaces(s);
        for (io.egressguard.mesh.GatewayWorkload w : s.gatewayWorkloads()) {
            if (!w.egress()) {
                continue;
            }
            SubsetReach reach = SubsetReach.of(s, w);
            for (String subset : s.routedSubsets(w.serviceHost())) {
                reach.failingClients(subset);
                reach.orphanedSubsetNamespaces(subset);
            }
        }
    }
}
