package io.egressguard.istio;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.List;
import java.util.Map;

/** Kubernetes label selector semantics. */
public final class Labels {

    private Labels() {
    }

    /** Istio-style selector (a plain map): every pair must be present. An empty selector matches everything. */
    public static boolean subsetOf(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        if (labels == null) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!labels.containsKey(e.getKey()) || !java.util.Objects.equals(e.getValue(), labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A {@code metav1.LabelSelector}: matchLabels and matchExpressions must all hold; an empty selector
     * ({@code {}}) matches everything.
     */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (!subsetOf(selector.getMatchLabels(), l)) {
            return false;
        }
        List<LabelSelectorRequirement> exprs = selector.getMatchExpressions();
        if (exprs != null) {
            for (LabelSelectorRequirement r : exprs) {
                if (!holds(r, l)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean holds(LabelSelectorRequirement r, Map<String, String> labels) {
        String value = labels.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        String op = r.getOperator() == null ? "" : r.getOperator();
        return switch (op) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
        };
    }

    /** True when the selector is {@code {}} (or absent): it selects everything. */
    public static boolean selectsAll(LabelSelector selector) {
        return selector == null || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()));
    }
}
