package io.egressguard.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.load.ModelTypes;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The Kubernetes client's mapper reads objects without their managedFields ({@link ModelTypes#withoutManagedFields}):
 * the informers decode and hold every object of the cluster, and no check reads them.
 */
@Singleton
public class ClientSerialization implements KubernetesClientObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        ModelTypes.withoutManagedFields(mapper);
    }
}
