package io.egressguard.mesh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keys to lists of values, layered like {@link Layer}: a derived snapshot copies only the lists its change
 * touches. Lists keep the order of a full build: by {@code order} (the position of the value's source
 * object, then its place within that object), so a snapshot derived by a change answers exactly like one
 * built from scratch.
 */
final class MultiIndex<K, V> {

    private final Layer<K, List<V>> lists;
    private final Comparator<? super V> order;
    /** Keys whose list this layer owns (in a full build: every list). */
    private final Set<K> owned;

    MultiIndex(Comparator<? super V> order) {
        this.lists = new Layer<>();
        this.order = order;
        this.owned = null;
    }

    /** A layer over {@code parent}; {@code order} must agree with the parent's for the values they share. */
    MultiIndex(MultiIndex<K, V> parent, Comparator<? super V> order) {
        this.lists = new Layer<>(parent.lists);
        this.order = order;
        this.owned = new HashSet<>();
    }

    List<V> get(K key) {
        return lists.getOrDefault(key, List.of());
    }

    boolean containsKey(K key) {
        return lists.containsKey(key);
    }

    /** Adds {@code value} unless it is there already, at its place in the order. */
    void add(K key, V value) {
        List<V> current = lists.get(key);
        if (owned == null && current != null) {
            // a full build adds in order: append, once per value
            if (current.get(current.size() - 1) != value) {
                current.add(value);
            }
            return;
        }
        if (current == null) {
            List<V> l = new ArrayList<>(2);
            l.add(value);
            lists.put(key, l);
            if (owned != null) {
                owned.add(key);
            }
            return;
        }
        // a derived snapshot inserting the value of a changed object: after every value ordered before it
        int low = 0;
        int high = current.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (order.compare(current.get(mid), value) <= 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        int at = low;
        for (int i = at - 1; i >= 0 && order.compare(current.get(i), value) == 0; i--) {
            if (current.get(i) == value) {
                return;
            }
        }
        List<V> l = writable(key, current);
        l.add(at, value);
    }

    /** Adds {@code value} ({@code add}) or removes it. */
    void edit(K key, V value, boolean add) {
        if (add) {
            add(key, value);
        } else {
            remove(key, value);
        }
    }

    /** Removes {@code value}: the same instance, else an equal one. */
    void remove(K key, V value) {
        List<V> current = lists.get(key);
        if (current == null) {
            return;
        }
        int at = -1;
        for (int i = 0; i < current.size(); i++) {
            if (current.get(i) == value) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            at = current.indexOf(value);
        }
        if (at < 0) {
            return;
        }
        if (current.size() == 1) {
            lists.remove(key);
            if (owned != null) {
                owned.remove(key);
            }
            return;
        }
        writable(key, current).remove(at);
    }

    Set<K> keys() {
        return lists.keys();
    }

    /** The list owned by this layer: the parent's lists are never written. */
    private List<V> writable(K key, List<V> current) {
        if (owned == null || owned.contains(key)) {
            return current;
        }
        List<V> copy = new ArrayList<>(current.size() + 1);
        copy.addAll(current);
        lists.put(key, copy);
        owned.add(key);
        return copy;
    }
}
