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
     * Resolves a VirtualService {@code gateways} entry: {@code mesh}, {@code name} (a Gateway in the
     * VirtualService's namespace) or {@code namespace/name}.
     */
    public static Binding ofVirtualServiceEntry(String entry, String vsNamespace) {
        if ("mesh".equals(entry)) {
            return MESH;
        }
        int slash = entry.indexOf('/');
        return slash < 0 ? istioGateway(vsNamespace, entry)
                : istioGateway(entry.substring(0, slash), entry.substring(slash + 1));
    }

    public boolean isMesh() {
        return type == Type.MESH;
    }

    @Override
    public String toString() {
        return isMesh() ? "mesh" : namespace + "/" + name;
    }
}
