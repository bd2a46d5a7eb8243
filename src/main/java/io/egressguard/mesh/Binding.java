package io.egressguard.mesh;

/**
 * Where a route applies: the sidecars ({@code mesh}), an Istio {@code Gateway}, or a Gateway API
 * {@code Gateway} (optionally one listener of it).
 */
public record Binding(Type type, String namespace, String name) {

    public enum Type { MESH, ISTIO_GATEWAY, KUBERNETES_GATEWAY }

    public static final Binding MESH = new Binding(Type.MESH, "", "mesh");

    public static Binding istioGateway(String namespace, String name) {
        return new Binding(Type.ISTIO_GATEWAY, namespace, name);
    }

    public static Binding kubernetesGateway(String namespace, String name) {
        return new Binding(Type.KUBERNETES_GATEWAY, namespace, name);
    }

    /**
     * Resolves a VirtualService {@code gateways} entry as pilot's {@code resolveGatewayName} does:
     * {@code mesh}; {@code name} (a Gateway in the VirtualService's namespace); {@code namespace/name}, with
     * {@code ./name} for the VirtualService's namespace; and the legacy FQDN form, where {@code name.ns} and
     * {@code name.ns.svc.cluster.local} both mean {@code ns/name} (accepted by Istio with a deprecation warning).
     */
    public static Binding ofVirtualServiceEntry(String entry, String vsNamespace) {
        if ("mesh".equals(entry)) {
            return MESH;
        }
        int slash = entry.indexOf('/');
        if (slash >= 0) {
            String ns = entry.substring(0, slash);
            return istioGateway(ns.equals(".") ? vsNamespace : ns, entry.substring(slash + 1));
        }
        int dot = entry.indexOf('.');
        if (dot < 0) {
            return istioGateway(vsNamespace, entry);
        }
        String rest = entry.substring(dot + 1);
        int next = rest.indexOf('.');
        return istioGateway(next < 0 ? rest : rest.substring(0, next), entry.substring(0, dot));
    }

    public boolean isMesh() {
        return type == Type.MESH;
    }

    // Written out, as for ObjectRef: bindings key the route indexes.
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof Binding b && type == b.type && java.util.Objects.equals(name, b.name)
                && java.util.Objects.equals(namespace, b.namespace);
    }

    @Override
    public int hashCode() {
        return (java.util.Objects.hashCode(type) * 31 + java.util.Objects.hashCode(namespace)) * 31
                + java.util.Objects.hashCode(name);
    }

    @Override
    public String toString() {
        return isMesh() ? "mesh" : namespace + "/" + name;
    }
}
