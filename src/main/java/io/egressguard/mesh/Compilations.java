package io.egressguard.mesh;

import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a full build derived from each object alone, kept so that the next full build (an informer rebuild)
 * need not derive it again for the objects that did not change (the same {@link Resource} instance).
 */
final class Compilations {

    /** For a snapshot derived by a change: it compiles only the changed object and keeps nothing. */
    static final Compilations NONE = new Compilations(null, null);

    private record Compiled(Resource source, Object value) {
    }

    private final Map<ObjectRef, Compiled> previous;
    private final Map<ObjectRef, Compiled> compiled;

    private Compilations(Map<ObjectRef, Compiled> previous, Map<ObjectRef, Compiled> compiled) {
        this.previous = previous;
        this.compiled = compiled;
    }

    /** For a full build, reusing what {@code previous} (null: nothing) compiled. */
    static Compilations reusing(Compilations previous) {
        return new Compilations(previous == null || previous.compiled == null ? Map.of() : previous.compiled,
                new HashMap<>());
    }

    <T> T compile(Resource r, Supplier<T> derive) {
        if (compiled == null) {
            return derive.get();
        }
        Compiled c = previous.get(r.ref());
        if (c == null || c.source() != r) {
            c = new Compiled(r, derive.get());
        }
        compiled.put(r.ref(), c);
        @SuppressWarnings("unchecked")
        T value = (T) c.value();
        return value;
    }
}
