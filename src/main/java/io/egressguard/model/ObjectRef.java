package io.egressguard.model;

import java.util.Comparator;

/** Identifies one object of the mesh configuration: {@code Kind namespace/name}. */
public record ObjectRef(Kind kind, String namespace, String name) implements Comparable<ObjectRef> {

    private static final Comparator<ObjectRef> ORDER = Comparator.comparing(ObjectRef::namespace)
            .thenComparing(r -> r.kind().kindName()).thenComparing(r -> r.kind().group()).thenComparing(ObjectRef::name);

    public ObjectRef {
        namespace = namespace == null ? "" : namespace;
    }

    // equals and hashCode written out: object references are the keys of every index, and a record's generated
    // methods (method handles) cost several times more wherever the JIT does not inline them.
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ObjectRef r && kind == r.kind && java.util.Objects.equals(name, r.name)
                && namespace.equals(r.namespace);
    }

    @Override
    public int hashCode() {
        return (java.util.Objects.hashCode(kind) * 31 + namespace.hashCode()) * 31 + java.util.Objects.hashCode(name);
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
