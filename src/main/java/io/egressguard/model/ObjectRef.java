package io.egressguard.model;

import java.util.Comparator;

/** Identifies one object of the mesh configuration: {@code Kind namespace/name}. */
public record ObjectRef(Kind kind, String namespace, String name) implements Comparable<ObjectRef> {

    private static final Comparator<ObjectRef> ORDER = Comparator.comparing(ObjectRef::namespace)
            .thenComparing(r -> r.kind().kindName()).thenComparing(r -> r.kind().group()).thenComparing(ObjectRef::name);

    public ObjectRef {
        namespace = namespace == null ? "" : namespace;
    }

    /** {@code ServiceEntry default/cnn}, or {@code Namespace default} for cluster-scoped objects. */
    @Override
    public String toString() {
        return kind.kindName() + " " + (kind.namespaced() ? namespace + "/" + name : name);
    }

    @Override
    public int compareTo(ObjectRef o) {
        return ORDER.compare(this, o);
    }
}
