package io.egressguard.rules;

import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Resource;

import java.util.List;

/** Runs rules on objects, collecting their findings into one list. */
public final class RuleRunner {

    private final RuleContext ctx;

    public RuleRunner(MeshSnapshot snapshot, List<Finding> sink) {
        this.ctx = new RuleContext(snapshot, sink);
    }

    public void run(Rule rule, Resource target) {
        ctx.begin(rule.code(), target);
        rule.check(target, ctx);
    }
}
