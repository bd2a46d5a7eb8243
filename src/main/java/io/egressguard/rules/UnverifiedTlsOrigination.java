package io.egressguard.rules;

import io.egressguard.istio.Hosts;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.api.networking.v1alpha3.ClientTLSSettings;
import io.fabric8.istio.api.api.networking.v1alpha3.Subset;
import io.fabric8.istio.api.api.networking.v1alpha3.TrafficPolicy;
import io.fabric8.istio.api.networking.v1.DestinationRule;

import java.util.List;

/**
 * EG305: TLS origination (SIMPLE or MUTUAL) to an external host that does not verify the server. Since Istio
 * 1.20 a rule without {@code caCertificates} verifies against the OS trust bundle, so only
 * {@code insecureSkipVerify: true} disables verification; before 1.20 (or with istiod's
 * {@code VERIFY_CERTIFICATE_AT_CLIENT=false}) a rule without {@code caCertificates}/{@code credentialName}
 * did not verify either. The Istio version is read from the istiod Deployment in the state when present.
 */
final class UnverifiedTlsOrigination implements Rule {

    @Override
    public Catalogue code() {
        return Catalogue.EG305;
    }

    @Override
    public void check(Resource target, RuleContext ctx) {
        DestinationRule dr = (DestinationRule) target.object();
        if (dr.getSpec() == null || dr.getSpec().getHost() == null) {
            return;
        }
        String host = Hosts.fqdn(dr.getSpec().getHost(), target.ref().namespace());
        if (host.endsWith("." + Hosts.CLUSTER_DOMAIN)) {
            return; // an in-mesh service, not an external host
        }
        boolean legacy = verifiesOnlyWithCa(ctx.snapshot());
        String problem = problem(dr.getSpec().getTrafficPolicy(), "spec.trafficPolicy", legacy);
        List<Subset> subsets = dr.getSpec().getSubsets() == null ? List.of() : dr.getSpec().getSubsets();
        for (int i = 0; problem == null && i < subsets.size(); i++) {
            if (subsets.get(i) != null) {
                problem = problem(subsets.get(i).getTrafficPolicy(), "spec.subsets[" + i + "].trafficPolicy", legacy);
            }
        }
        if (problem != null) {
            int sep = problem.indexOf('|');
            ctx.report(problem.substring(0, sep), "server not verified: TLS origination to " + host + problem.substring(sep + 1));
        }
    }

    /** Returns {@code path|message suffix} of the first unverified TLS setting, or null. */
    private static String problem(TrafficPolicy p, String path, boolean legacy) {
        if (p == null) {
            return null;
        }
        String top = tlsProblem(p.getTls(), path + ".tls", legacy);
        if (top != null) {
            return top;
        }
        if (p.getPortLevelSettings() != null) {
            for (int i = 0; i < p.getPortLevelSettings().size(); i++) {
                var pl = p.getPortLevelSettings().get(i);
                String pp = pl == null ? null : tlsProblem(pl.getTls(), path + ".portLevelSettings[" + i + "].tls", legacy);
                if (pp != null) {
                    return pp;
                }
            }
        }
        return null;
    }

    private static String tlsProblem(ClientTLSSettings tls, String path, boolean legacy) {
        if (tls == null || tls.getMode() == null) {
            return null;
        }
        String mode = tls.getMode().name();
        if (!mode.equals("SIMPLE") && !mode.equals("MUTUAL")) {
            return null;
        }
        if (Boolean.TRUE.equals(tls.getInsecureSkipVerify())) {
            return path + ".insecureSkipVerify| skips server certificate verification";
        }
        if (legacy && empty(tls.getCaCertificates()) && empty(tls.getCredentialName())) {
            return path + "| does not verify the server: this Istio needs caCertificates or credentialName";
        }
        return null;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    /** Istio before 1.20, or istiod with VERIFY_CERTIFICATE_AT_CLIENT=false, verifies only with a CA configured. */
    static boolean verifiesOnlyWithCa(MeshSnapshot s) {
        return s.istiod().map(i -> i.disabled("VERIFY_CERTIFICATE_AT_CLIENT") || i.olderThan(1, 20)).orElse(false);
    }
}
