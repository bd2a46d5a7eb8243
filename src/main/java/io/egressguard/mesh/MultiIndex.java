package io.egressguard.mesh;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.RandomAccess;
import java.util.Set;

/**
 * Keys to lists of values, layered like {@link Layer}: a derived snapshot changes only the lists its change
 * touches. Lists keep the order of a full build: by {@code order} (the position of the value's source
 * object, then its place within that object), so a snapshot derived by a change answers exactly like one
 * built from scratch.
 *
 * <p>A long list edited by a derived snapshot is not copied: the derived list reads through to its parent's
 * with the one value inserted or removed ({@link Edited}). A mesh route to the egress gateway is one of thousands
 * under the gateway's host; a review changing it must not copy the others.
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
        if (owned == null || owned.contains(key)) {
            current.add(at, value);
        } else {
            derive(key, current, at, value);
        }
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
        int at = indexOf(current, value);
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
        if (owned == null || owned.contains(key)) {
            current.remove(at);
        } else {
            derive(key, current, at, null);
        }
    }

    /**
     * {@code exact} followed by the {@code wildcards} that {@code serves} accepts and {@code exact} lacks: what a
     * host finds in an index keyed by exact host beside its list of wildcard entries.
     */
    static <V> List<V> exactThenWildcards(List<V> exact, List<V> wildcards, java.util.function.Predicate<V> serves) {
        List<V> out = new ArrayList<>(exact);
        for (V v : wildcards) {
            if (serves.test(v) && !out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    Set<K> keys() {
        return lists.keys();
    }

    /** The place of {@code value} in {@code list}: the same instance (found by its order), else an equal one. */
    private int indexOf(List<V> list, V value) {
        int low = 0;
        int high = list.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (order.compare(list.get(mid), value) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        for (int i = low; i < list.size() && order.compare(list.get(i), value) == 0; i++) {
            if (list.get(i) == value) {
                return i;
            }
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == value) {
                return i;
            }
        }
        return list.indexOf(value);
    }

    /**
     * The parent's list with {@code value} inserted at {@code at} ({@code value} null: the value at {@code at}
     * removed), for this layer: short lists are copied and owned, long ones read through. A chain of edits
     * longer than {@value #MAX_DEPTH} (a key changed by many snapshots in a row) is copied, so reads stay cheap.
     */
    private void derive(K key, List<V> current, int at, V value) {
        int depth = current instanceof Edited<V> e ? e.depth + 1 : 1;
        if (current.size() >= COPY_BELOW && depth <= MAX_DEPTH) {
            lists.put(key, new Edited<>(current, at, value, depth));
            return;
        }
        List<V> copy = new ArrayList<>(current.size() + 1);
        copy.addAll(current);
        if (value == null) {
            copy.remove(at);
        } else {
            copy.add(at, value);
        }
        lists.put(key, copy);
        owned.add(key);
    }

    private static final int COPY_BELOW = 64;
    private static final int MAX_DEPTH = 8;

    /** A list read through to {@code base} with one value inserted at {@code at}, or (value null) removed there. */
    private static final class Edited<V> extends AbstractList<V> implements RandomAccess {
        final List<V> base;
        final int at;
        final V inserted;
        final int depth;

        Edited(List<V> base, int at, V inserted, int depth) {
            this.base = base;
            this.at = at;
            this.inserted = inserted;
            this.depth = depth;
        }

        @Override
        public V get(int i) {
            if (i < at) {
                return base.get(i);
            }
            if (inserted != null) {
                return i == at ? inserted : base.get(i - 1);
            }
            return base.get(i + 1);
        }

        @Override
        public int size() {
            return inserted != null ? base.size() + 1 : base.size() - 1;
        }
    }
}
