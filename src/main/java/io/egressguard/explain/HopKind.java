package io.egressguard.explain;

import java.util.Set;

/**
 * The hops of a request to an external host, in the order traffic takes them, with the rule codes that
 * judge each: findings with these codes on a hop's objects are shown on (and can break) that hop.
 */
public enum HopKind {
    SIDECAR_ROUTE("sidecar route", "EG201", "EG203", "EG205", "EG209", "EG213", "EG214", "EG215", "EG502", "EG503"),
    /** Ambient mode: ztunnel carries the pods' traffic, through a waypoint or not. */
    ZTUNNEL("ztunnel (ambient)", "EG107"),
    EGRESS_GATEWAY_SERVICE("egress gateway Service", "EG210", "EG304", "EG503"),
    GATEWAY_SERVER("egress gateway server", "EG207", "EG208", "EG401", "EG402", "EG403", "EG405", "EG501"),
    GATEWAY_ROUTE("gateway route", "EG202", "EG204", "EG209", "EG212", "EG305", "EG504", "EG505"),
    SERVICE_ENTRY("ServiceEntry", "EG101", "EG102", "EG103", "EG212", "EG504"),
    POLICY_TO_GATEWAY("NetworkPolicy: pod to egress gateway", "EG604"),
    POLICY_TO_DNS("NetworkPolicy: pod to DNS", "EG601", "EG602", "EG603", "EG606"),
    POLICY_TO_INTERNET("NetworkPolicy: pod to the external host", "EG605");

    private final String title;
    private final Set<String> codes;

    HopKind(String title, String... codes) {
        this.title = title;
        this.codes = Set.of(codes);
    }

    public String title() {
        return title;
    }

    /** {@code sidecar-route}: the name in JSON output. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    boolean judgedBy(String code) {
        return codes.contains(code);
    }
}
