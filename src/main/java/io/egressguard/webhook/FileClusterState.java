package io.egressguard.webhook;

import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.rules.RuleRegistry;

import java.nio.file.Path;

/** Standalone mode: the cluster state is read once from manifest files; no API server is contacted. */
public final class FileClusterState implements ClusterState {

    private final MeshSnapshot snapshot;
    private final String description;
    private final long loadedAt = System.nanoTime();

    public FileClusterState(Path dir, MeshSettings settings) throws InputException {
        ManifestReader.Result read = new ManifestReader("default").read(dir).result();
        this.snapshot = MeshSnapshot.of(settings, read.resources());
        RuleRegistry.prepare(snapshot);
        this.description = "files in " + dir + " (" + snapshot.size() + " objects)";
    }

    @Override
    public MeshSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public double syncAgeSeconds() {
        return (System.nanoTime() - loadedAt) / 1e9;
    }
}
