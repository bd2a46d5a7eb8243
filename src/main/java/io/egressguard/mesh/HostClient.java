package io.egressguard.mesh;

import java.util.Objects;

/**
 * An index key: a host and a client namespace (null: every client namespace). Writes out equals and hashCode,
 * as {@link io.egressguard.model.ObjectRef} does: it is hashed on every lookup.
 */
record HostClient(String host, String client) {

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof HostClient k && Objects.equals(host, k.host) && Objects.equals(client, k.client);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(host) * 31 + Objects.hashCode(client);
    }
}
