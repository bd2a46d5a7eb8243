package io.egressguard.engine;

import io.egressguard.model.Severity;
import io.egressguard.rules.Catalogue;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Per-code severity overrides: {@code deny} (error), {@code warn} (warning), {@code info}, {@code off}.
 */
public final class EngineConfig {

    public static final String SUPPRESS_ANNOTATION = "egress-guard.io/suppress";
    public static final String IGNORE_NAMESPACE_LABEL = "egress-guard.io/ignore";

    private final Map<Catalogue, Optional<Severity>> overrides;
    private final boolean audit;

    private EngineConfig(Map<Catalogue, Optional<Severity>> overrides, boolean audit) {
        this.overrides = overrides;
        this.audit = audit;
    }

    /** Every rule but the audit-only ones, at default severities. */
    public static EngineConfig defaults() {
        return new EngineConfig(new EnumMap<>(Catalogue.class), false);
    }

    /** Also run the audit-only rules (EG9xx), which judge the whole cluster. */
    public EngineConfig withAuditRules() {
        return new EngineConfig(overrides, true);
    }

    /**
     * Parses {@code CODE=deny|warn|info|off}.
     *
     * @throws IllegalArgumentException with a message for the user when the code or action is unknown
     */
    public EngineConfig withOverride(String spec) {
        int eq = spec.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("expected CODE=deny|warn|info|off, got '" + spec + "'");
        }
        String code = spec.substring(0, eq).trim();
        Catalogue c = Catalogue.of(code)
                .orElseThrow(() -> new IllegalArgumentException("unknown rule code '" + code + "'"));
        Optional<Severity> s = switch (spec.substring(eq + 1).trim().toLowerCase(Locale.ROOT)) {
            case "deny", "error" -> Optional.of(Severity.ERROR);
            case "warn", "warning" -> Optional.of(Severity.WARNING);
            case "info" -> Optional.of(Severity.INFO);
            case "off" -> Optional.empty();
            default -> throw new IllegalArgumentException(
                    "unknown action '" + spec.substring(eq + 1) + "' for " + code + ": use deny, warn, info or off");
        };
        Map<Catalogue, Optional<Severity>> m = new EnumMap<>(Catalogue.class);
        m.putAll(overrides);
        m.put(c, s);
        return new EngineConfig(m, audit);
    }

    /** Applies {@link #withOverride} to each {@code CODE=ACTION}, in order. */
    public EngineConfig withOverrides(java.util.List<String> specs) {
        EngineConfig c = this;
        for (String spec : specs) {
            c = c.withOverride(spec);
        }
        return c;
    }

    public boolean enabled(Catalogue c) {
        return (audit || !c.auditOnly()) && overrides.getOrDefault(c, Optional.of(c.defaultSeverity())).isPresent();
    }

    /** The configured severity, given the one the rule reported (its default unless it lowered it). */
    public Severity severity(Catalogue c, Severity reported) {
        Optional<Severity> o = overrides.get(c);
        if (o == null) {
            return reported;
        }
        return o.orElse(reported);
    }
}
