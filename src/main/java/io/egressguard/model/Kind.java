package io.egressguard.model;

import java.util.Locale;
import java.util.Optional;

/** The Kubernetes kinds egress-guard reads, named as users write them in manifests. */
public enum Kind {
    SERVICE_ENTRY("ServiceEntry", "networking.istio.io", true),
    VIRTUAL_SERVICE("VirtualService", "networking.istio.io", true),
    DESTINATION_RULE("DestinationRule", "networking.istio.io", true),
    GATEWAY("Gateway", "networking.istio.io", true),
    SIDECAR("Sidecar", "networking.istio.io", true),
    KUBERNETES_GATEWAY("Gateway", "gateway.networking.k8s.io", true),
    HTTP_ROUTE("HTTPRoute", "gateway.networking.k8s.io", true),
    TLS_ROUTE("TLSRoute", "gateway.networking.k8s.io", true),
    NETWORK_POLICY("NetworkPolicy", "networking.k8s.io", true),
    NAMESPACE("Namespace", "", false),
    SERVICE("Service", "", true),
    DEPLOYMENT("Deployment", "apps", true),
    POD("Pod", "", true),
    /** Only the mesh config (ConfigMap {@code istio} in the root namespace) is read. */
    CONFIG_MAP("ConfigMap", "", true);

    private final String kindName;
    private final String group;
    private final boolean namespaced;

    Kind(String kindName, String group, boolean namespaced) {
        this.kindName = kindName;
        this.group = group;
        this.namespaced = namespaced;
    }

    /** The {@code kind} field as written in manifests. */
    public String kindName() {
        return kindName;
    }

    /** The kind as people name it, qualified where two groups share a name. */
    public String displayName() {
        return this == KUBERNETES_GATEWAY ? "Gateway." + group : kindName;
    }

    /** The API group ("" for the core group). */
    public String group() {
        return group;
    }

    public boolean namespaced() {
        return namespaced;
    }

    /** Resolves {@code apiVersion} + {@code kind}; any served version of a group maps to the same kind. */
    public static Optional<Kind> of(String apiVersion, String kind) {
        if (kind == null) {
            return Optional.empty();
        }
        String group = groupOf(apiVersion);
        for (Kind k : values()) {
            if (k.kindName.equals(kind) && k.group.equals(group)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    static String groupOf(String apiVersion) {
        if (apiVersion == null) {
            return "";
        }
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash).toLowerCase(Locale.ROOT);
    }
}
