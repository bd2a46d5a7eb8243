package io.egressguard.mesh;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Layers of a {@link MultiIndex} derived one change at a time answer like the list kept in order from scratch:
 * short lists (copied) and long ones (read through to the parent's), across chains of derivations longer than
 * the depth at which a long list is copied again.
 */
class MultiIndexTest {

    /** A value with its place in the order; distinct instances may share a place. */
    record Value(int order, String name) {
    }

    private static final Comparator<Value> ORDER = Comparator.comparingInt(Value::order);

    @Test
    void derivedLayersAnswerLikeTheOrderedList() {
        for (int size : new int[] {3, 63, 64, 65, 500}) {
            Random random = new Random(size);
            List<Value> expected = new ArrayList<>();
            MultiIndex<String, Value> index = new MultiIndex<>(ORDER);
            for (int i = 0; i < size; i++) {
                Value v = new Value(i * 10, "v" + i);
                expected.add(v);
                index.add("k", v);
            }
            for (int step = 0; step < 40; step++) {
                index = new MultiIndex<>(index, ORDER);
                // each layer: one value removed and one added, as a changed object re-indexed
                Value gone = expected.remove(random.nextInt(expected.size()));
                index.remove("k", gone);
                Value added = new Value(random.nextInt(size * 10 + 10), "s" + step);
                int at = 0;
                while (at < expected.size() && expected.get(at).order() <= added.order()) {
                    at++;
                }
                expected.add(at, added);
                index.add("k", added);
                assertEquals(expected, new ArrayList<>(index.get("k")), "size " + size + ", step " + step);
                assertEquals(expected.size(), index.get("k").size());
            }
        }
    }

    @Test
    void aValueAddedTwiceIsKeptOnceAndTheLastRemovalDropsTheKey() {
        MultiIndex<String, Value> base = new MultiIndex<>(ORDER);
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            values.add(new Value(i, "v" + i));
            base.add("k", values.get(i));
        }
        MultiIndex<String, Value> derived = new MultiIndex<>(base, ORDER);
        derived.add("k", values.get(50));
        assertEquals(100, derived.get("k").size(), "the same instance is not added again");
        for (Value v : values) {
            derived.remove("k", v);
        }
        assertEquals(List.of(), derived.get("k"));
        assertEquals(false, derived.containsKey("k"));
        assertEquals(100, base.get("k").size(), "the parent is never written");
    }
}
