package io.egressguard.model;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Records that write out {@code equals} and {@code hashCode} (index keys, for speed) keep the record's contract:
 * two records are equal exactly when every component is, and equal records hash alike. A component added later
 * and forgotten in {@code equals} fails here.
 */
class WrittenOutEqualityTest {

    @Test
    void recordsThatWriteOutEqualityCompareEveryComponent() throws Exception {
        for (Class<?> c : records()) {
            Object base = build(c, 0);
            assertEquals(base, build(c, 0), c.getName());
            assertEquals(base.hashCode(), build(c, 0).hashCode(), c.getName());
            assertFalse(base.equals(null), c.getName());
            RecordComponent[] components = c.getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                Object[] args = values(c, 0);
                Object other = sample(components[i].getType(), 1);
                if (other == null || other.equals(args[i])) {
                    continue; // a type with one value (a one-constant enum): nothing to vary
                }
                args[i] = other;
                assertNotEquals(base, construct(c, args), c.getName() + " ignores " + components[i].getName());
            }
        }
    }

    /** The records that write out equals and hashCode by their components. */
    private static List<Class<?>> records() throws ClassNotFoundException {
        List<Class<?>> out = new ArrayList<>();
        for (String name : List.of("io.egressguard.model.ObjectRef", "io.egressguard.mesh.Binding",
                "io.egressguard.mesh.RouteIndex$SubsetKey", "io.egressguard.mesh.HostClient",
                "io.egressguard.mesh.GatewayWorkloadIndex$GatewayPort")) {
            out.add(Class.forName(name));
        }
        return out;
    }

    private static Object build(Class<?> c, int variant) throws Exception {
        return construct(c, values(c, variant));
    }

    private static Object[] values(Class<?> c, int variant) throws Exception {
        RecordComponent[] components = c.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = sample(components[i].getType(), variant);
        }
        return args;
    }

    private static Object construct(Class<?> c, Object[] args) throws Exception {
        Constructor<?> k = c.getDeclaredConstructor(Stream.of(c.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new));
        k.setAccessible(true);
        return k.newInstance(args);
    }

    /** A value of {@code type}: two different ones for variants 0 and 1; collections are empty in both. */
    private static Object sample(Class<?> type, int variant) throws Exception {
        if (type == String.class) {
            return variant == 0 ? "a" : "b";
        }
        if (type == int.class || type == Integer.class) {
            return variant == 0 ? 1 : 2;
        }
        if (type == long.class || type == Long.class) {
            return variant == 0 ? 1L : 2L;
        }
        if (type == boolean.class || type == Boolean.class) {
            return variant != 0;
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return variant < constants.length ? constants[variant] : null;
        }
        if (type == List.class) {
            return List.of();
        }
        if (type == java.util.Set.class) {
            return java.util.Set.of();
        }
        if (type == java.util.Map.class) {
            return java.util.Map.of();
        }
        if (type.isRecord()) {
            return build(type, variant);
        }
        throw new AssertionError("no sample value for " + type.getName() + ": add one");
    }
}
