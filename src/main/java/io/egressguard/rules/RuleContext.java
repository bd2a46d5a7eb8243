package io.egressguard.rules;

import io.egressguard.mesh.DestinationRuleLookup;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/** What a rule sees while it checks one object: the snapshot, Istio's lookups, and where to report. */
public final class RuleContext {

    private final MeshSnapshot snapshot;
    private final DestinationRuleLookup destinationRules;
    private final List<Finding> sink;
    private Catalogue code;
    private Resource target;

    RuleContext(MeshSnapshot snapshot, List<Finding> sink) {
        this.snapshot = snapshot;
        this.destinationRules = new DestinationRuleLookup(snapshot);
        this.sink = sink;
    }

    void begin(Catalogue code, Resource target) {
        this.code = code;
        this.target = target;
    }

    public MeshSnapshot snapshot() {
        return snapshot;
    }

    public DestinationRuleLookup destinationRules() {
        return destinationRules;
    }

    /**
     * Reports a finding on the object being checked.
     *
     * @param message the consequence first, then the specifics: kubectl shows the first 120 characters of
     *                {@code CODE Kind namespace/name: message}; denials and the CLI show all of it
     * @param detail  what happens in Istio and how to fix it, for the CLI and JSON output
     */
    public void report(String path, String message, String detail, Collection<ObjectRef> related) {
        reportWithSeverity(code.defaultSeverity(), path, message, detail, related);
    }

    /** Reports with a severity other than the code's default (e.g. advice when the state is incomplete). */
    public void reportWithSeverity(io.egressguard.model.Severity severity, String path, String message,
            Collection<ObjectRef> related) {
        reportWithSeverity(severity, path, message, null, related);
    }

    private void reportWithSeverity(io.egressguard.model.Severity severity, String path, String message, String detail,
            Collection<ObjectRef> related) {
        List<ObjectRef> rel = new ArrayList<>(new LinkedHashSet<>(related));
        rel.remove(target.ref());
        String fullDetail = (detail == null || detail.isEmpty() ? message : detail) + " Fix: " + code.fix();
        sink.add(new Finding(code.code(), severity, target.ref(), path, message, fullDetail, rel));
    }

    public void report(String path, String message, Collection<ObjectRef> related) {
        report(path, message, null, related);
    }

    public void report(String path, String message, ObjectRef... related) {
        report(path, message, null, List.of(related));
    }
}
