package io.egressguard.rules;

import io.egressguard.model.Kind;
import io.egressguard.model.Resource;

import java.util.Set;

/** One check of the catalogue. A rule reads the snapshot through its context and reports on one object. */
public interface Rule {

    Catalogue code();

    /** The kinds of object this rule inspects and reports on: the catalogue's, so docs and code agree. */
    default Set<Kind> targets() {
        return Set.of(code().reportsOn());
    }

    void check(Resource target, RuleContext ctx);
}
