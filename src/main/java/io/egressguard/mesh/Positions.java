package io.egressguard.mesh;

import io.egressguard.model.ObjectRef;

import java.util.Comparator;
import java.util.function.Function;

/**
 * The place of every object in the state: the order of a full build's input, objects created later after
 * it. Indexes keep their lists in this order, so that a snapshot derived by changes lists like one built
 * from scratch. Layered like {@link Layer}: a derived snapshot adds only the object it creates.
 */
final class Positions {

    private final Layer<ObjectRef, Long> positions;
    private long next;

    Positions() {
        this.positions = new Layer<>();
    }

    Positions(Positions before) {
        this.positions = new Layer<>(before.positions);
        this.next = before.next;
    }

    /** Gives {@code ref}, a new object, the next place. */
    void add(ObjectRef ref) {
        positions.put(ref, next++);
    }

    long of(ObjectRef ref) {
        Long p = positions.get(ref);
        return p == null ? Long.MAX_VALUE : p;
    }

    /** Values in the order of the objects {@code ref} names. */
    <T> Comparator<T> comparing(Function<T, ObjectRef> ref) {
        return (a, b) -> Long.compare(of(ref.apply(a)), of(ref.apply(b)));
    }
}
