package io.egressguard.report;

import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;

import java.util.List;
import java.util.Map;

/**
 * The result of a run: findings, where each object came from, and the counts.
 *
 * @param origins  where each object was read, for file/line locations
 * @param objects  objects checked
 * @param ignored  objects of kinds egress-guard does not read
 */
public record Report(List<Finding> findings, Map<ObjectRef, Resource.Origin> origins, int objects, int ignored) {

    public long count(Severity s) {
        return findings.stream().filter(f -> f.severity() == s).count();
    }

    public boolean fails(Severity threshold) {
        return findings.stream().anyMatch(f -> f.severity().compareTo(threshold) >= 0);
    }
}
