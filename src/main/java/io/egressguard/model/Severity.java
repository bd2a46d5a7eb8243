package io.egressguard.model;

import java.util.Locale;

/** How bad a finding is; the webhook denies {@link #ERROR}, warns {@link #WARNING} and only logs {@link #INFO}. */
public enum Severity {
    INFO, WARNING, ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
