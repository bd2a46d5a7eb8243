package io.egressguard.bench;

import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Kind;
import io.egressguard.model.Resource;
import io.egressguard.webhook.ChangeCheck;

import java.nio.file.Path;
import java.util.List;

/**
 * The engine's part of one review, without HTTP: {@link ChangeCheck} re-applying one VirtualService of a state
 * directory (as {@link LargeMesh} writes it), in a loop, in CPU time of the thread, so that other load on the
 * machine inflates it less than wall time. Three rounds; the last is the one to read.
 *
 * <pre>
 * java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.egressguard.bench.ReviewCost \
 *     STATE_DIR NAMESPACE NAME [REVIEWS]
 * </pre>
 */
public final class ReviewCost {

    private ReviewCost() {
    }

    public static void main(String[] args) throws Exception {
        ManifestReader reader = new ManifestReader("default");
        reader.read(Path.of(args[0]));
        List<Resource> all = reader.result().resources();
        MeshSnapshot state = MeshSnapshot.of(MeshSettings.DEFAULT, all);
        Engine engine = new Engine(EngineConfig.defaults());
        Resource vs = all.stream().filter(r -> r.kind() == Kind.VIRTUAL_SERVICE
                && r.ref().namespace().equals(args[1]) && r.ref().name().equals(args[2])).findFirst().orElseThrow();
        int reviews = args.length > 3 ? Integer.parseInt(args[3]) : 3000;
        ThreadCpu.rounds(3, reviews, vs.ref().toString(), "findings",
                () -> ChangeCheck.of(engine, state, vs.ref(), vs).after().size());
    }
}
