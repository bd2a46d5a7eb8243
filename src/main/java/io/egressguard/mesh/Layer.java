package io.egressguard.mesh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A map that reads through to the map of the snapshot it was derived from and keeps only its own changes:
 * deriving a state with one changed object costs the change, not the size of the mesh. Iteration follows
 * {@link LinkedHashMap}: a replaced key keeps its place, a new key comes last.
 *
 * <p>Written only while its snapshot is built; read-only (and safe to share between threads) afterwards.
 */
final class Layer<K, V> {

    private static final Object REMOVED = new Object();

    private final Layer<K, V> parent;
    private final Map<K, Object> own;
    private int size;

    Layer() {
        this.parent = null;
        this.own = new LinkedHashMap<>();
    }

    Layer(Layer<K, V> parent) {
        this.parent = parent;
        this.own = new LinkedHashMap<>(8);
        this.size = parent.size;
    }

    @SuppressWarnings("unchecked")
    V get(K key) {
        Object v = own.get(key);
        if (v != null) {
            return v == REMOVED ? null : (V) v;
        }
        return parent == null ? null : parent.get(key);
    }

    V getOrDefault(K key, V fallback) {
        V v = get(key);
        return v == null ? fallback : v;
    }

    boolean containsKey(K key) {
        return get(key) != null;
    }

    void put(K key, V value) {
        if (get(key) == null) {
            size++;
        }
        own.put(key, value);
    }

    void remove(K key) {
        if (get(key) == null) {
            return;
        }
        size--;
        if (parent == null) {
            own.remove(key);
        } else {
            own.put(key, REMOVED);
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The values in iteration order. Walks every entry: for whole-state questions only. */
    @SuppressWarnings("unchecked")
    Collection<V> values() {
        if (parent == null) {
            return Collections.unmodifiableCollection((Collection<V>) own.values());
        }
        List<V> out = new ArrayList<>(size);
        for (K k : parent.keys()) {
            V v = get(k);
            if (v != null) {
                out.add(v);
            }
        }
        for (var e : own.entrySet()) {
            if (e.getValue() != REMOVED && parent.get(e.getKey()) == null) {
                out.add((V) e.getValue());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The keys in iteration order. Walks every entry: for whole-state questions only. */
    Set<K> keys() {
        if (parent == null) {
            return Collections.unmodifiableSet(own.keySet());
        }
        Set<K> out = new java.util.LinkedHashSet<>(size * 2);
        for (K k : parent.keys()) {
            if (get(k) != null) {
                out.add(k);
            }
        }
        for (var e : own.entrySet()) {
            if (e.getValue() != REMOVED) {
                out.add(e.getKey());
            }
        }
        return Collections.unmodifiableSet(out);
    }
}
