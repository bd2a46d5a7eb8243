package io.egressguard.load;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.model.Kind;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.ServiceEntry;
import io.fabric8.istio.api.networking.v1.Sidecar;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TLSRoute;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The fabric8 model class each kind is read into. Every served version of an API group has the same schema
 * for the fields egress-guard reads (networking.istio.io v1, v1beta1 and v1alpha3; Gateway API v1 and
 * v1beta1), so one class serves them all.
 */
public final class ModelTypes {

    private static final Map<Kind, Class<? extends HasMetadata>> CLASSES = new EnumMap<>(Kind.class);

    static {
        CLASSES.put(Kind.SERVICE_ENTRY, ServiceEntry.class);
        CLASSES.put(Kind.VIRTUAL_SERVICE, VirtualService.class);
        CLASSES.put(Kind.DESTINATION_RULE, DestinationRule.class);
        CLASSES.put(Kind.GATEWAY, Gateway.class);
        CLASSES.put(Kind.SIDECAR, Sidecar.class);
        CLASSES.put(Kind.KUBERNETES_GATEWAY, io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class);
        CLASSES.put(Kind.HTTP_ROUTE, HTTPRoute.class);
        CLASSES.put(Kind.TLS_ROUTE, TLSRoute.class);
        CLASSES.put(Kind.NETWORK_POLICY, NetworkPolicy.class);
        CLASSES.put(Kind.NAMESPACE, Namespace.class);
        CLASSES.put(Kind.SERVICE, Service.class);
        CLASSES.put(Kind.DEPLOYMENT, Deployment.class);
        CLASSES.put(Kind.POD, Pod.class);
        CLASSES.put(Kind.CONFIG_MAP, ConfigMap.class);
    }

    /**
     * The kinds read from a live cluster (informers and the {@code audit} command): everything the rules use,
     * except Pods (gateway workloads are known from Deployments). Of ConfigMaps only the mesh config is read
     * (see {@link #informer}).
     */
    public static final List<Kind> CLUSTER_KINDS = List.of(Kind.NAMESPACE, Kind.SERVICE, Kind.DEPLOYMENT,
            Kind.NETWORK_POLICY, Kind.SERVICE_ENTRY, Kind.VIRTUAL_SERVICE, Kind.DESTINATION_RULE, Kind.GATEWAY,
            Kind.SIDECAR, Kind.KUBERNETES_GATEWAY, Kind.HTTP_ROUTE, Kind.TLS_ROUTE, Kind.CONFIG_MAP);

    /** The mesh config: ConfigMap {@code istio} in the root namespace, key {@code mesh} (istiod's default revision). */
    public static final String MESH_CONFIG_NAME = "istio";

    /**
     * An informer for a kind in a live cluster, over every namespace (or the cluster scope), except ConfigMaps:
     * only the mesh config is read, by name in the root namespace, so that RBAC can grant that one object
     * instead of every ConfigMap of the cluster.
     */
    public static SharedIndexInformer<? extends HasMetadata> informer(KubernetesClient client, Kind kind,
            String rootNamespace) {
        if (kind == Kind.CONFIG_MAP) {
            return meshConfig(client, rootNamespace).runnableInformer(0);
        }
        var op = client.resources(classOf(kind));
        return kind.namespaced() ? op.inAnyNamespace().runnableInformer(0) : op.runnableInformer(0);
    }

    /** The objects of a kind in a live cluster, read as {@link #informer} watches them. */
    public static List<? extends HasMetadata> list(KubernetesClient client, Kind kind, String rootNamespace) {
        if (kind == Kind.CONFIG_MAP) {
            return meshConfig(client, rootNamespace).list().getItems();
        }
        var op = client.resources(classOf(kind));
        return kind.namespaced() ? op.inAnyNamespace().list().getItems() : op.list().getItems();
    }

    private static FilterWatchListDeletable<ConfigMap, ConfigMapList, io.fabric8.kubernetes.client.dsl.Resource<ConfigMap>>
            meshConfig(KubernetesClient client, String rootNamespace) {
        return client.configMaps().inNamespace(rootNamespace).withField("metadata.name", MESH_CONFIG_NAME);
    }

    private ModelTypes() {
    }

    public static Class<? extends HasMetadata> classOf(Kind kind) {
        return CLASSES.get(kind);
    }

    /** Every model class the engine deserialises (for native-image reflection registration). */
    public static List<Class<? extends HasMetadata>> all() {
        return List.copyOf(CLASSES.values());
    }
    /**
     * {@code mapper}, reading objects without their {@code metadata.managedFields}. The API server sends them with
     * every object (which field manager set which field: about as many entries as the object has fields) and no
     * check reads them; left out, the cluster's lists decode about 15 % faster and the objects held are smaller.
     * Objects are still written with them where they have any.
     */
    public static ObjectMapper withoutManagedFields(ObjectMapper mapper) {
        return mapper.addMixIn(ObjectMeta.class, WithoutManagedFields.class);
    }

    @JsonIgnoreProperties(value = "managedFields", allowGetters = true)
    private abstract static class WithoutManagedFields {
    }
}
