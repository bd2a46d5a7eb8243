package io.egressguard.mesh;

import java.util.Collections;
import java.util.HashSet;
import java.util.Comparator;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.Set;

/**
 * Keys to sets that remember how many contributions each member has: many routes may add the same member
 * (every namespace's route to the one egress gateway port), and removing one route must not drop it while
 * others remain. Members are kept sorted, so that the answer does not depend on the order changes came
 * in. Layered like {@link Layer}.
 */
final class CountIndex<K, V> {

    private final Layer<K, NavigableMap<V, Integer>> counts;
    private final Comparator<? super V> order;
    private final Set<K> owned;

    CountIndex(Comparator<? super V> order) {
        this.counts = new Layer<>();
        this.order = order;
        this.owned = null;
    }

    CountIndex(CountIndex<K, V> parent) {
        this.counts = new Layer<>(parent.counts);
        this.order = parent.order;
        this.owned = new HashSet<>();
    }

    /** The members of {@code key}'s set, sorted. */
    Set<V> get(K key) {
        NavigableMap<V, Integer> m = counts.get(key);
        return m == null ? Set.of() : Collections.unmodifiableNavigableSet(m.navigableKeySet());
    }

    boolean contains(K key, V value) {
        NavigableMap<V, Integer> m = counts.get(key);
        return m != null && m.containsKey(value);
    }

    void add(K key, V value) {
        writable(key).merge(value, 1, Integer::sum);
    }

    /** Adds one contribution of {@code value} ({@code add}) or removes one. */
    void edit(K key, V value, boolean add) {
        if (add) {
            add(key, value);
        } else {
            remove(key, value);
        }
    }

    void remove(K key, V value) {
        NavigableMap<V, Integer> m = counts.get(key);
        if (m == null || !m.containsKey(value)) {
            return;
        }
        m = writable(key);
        if (m.merge(value, -1, Integer::sum) <= 0) {
            m.remove(value);
        }
        if (m.isEmpty()) {
            counts.remove(key);
            if (owned != null) {
                owned.remove(key);
            }
        }
    }

    private NavigableMap<V, Integer> writable(K key) {
        NavigableMap<V, Integer> m = counts.get(key);
        if (m != null && (owned == null || owned.contains(key))) {
            return m;
        }
        NavigableMap<V, Integer> copy = new TreeMap<>(order);
        if (m != null) {
            copy.putAll(m);
        }
        counts.put(key, copy);
        if (owned != null) {
            owned.add(key);
        }
        return copy;
    }
}
