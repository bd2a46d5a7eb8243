package io.egressguard.deploy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shell scripts users run: valid bash, and the kind end-to-end script (which needs Docker, so it cannot
 * run here) applies only mesh objects from the examples, never their stand-in cluster objects.
 */
class ShellScriptsTest {

    @Test
    void scriptsAreValidBash() throws Exception {
        for (String script : List.of(".ci/run", "certs/generate.sh", "certs/install.sh", "deploy/e2e/kind-e2e.sh",
                "bench/startup.sh", "bench/aot-train.sh", "bench/load.sh", "bench/jmh.sh", "bench/compare.sh",
                "bin/egress-guard", "bin/egress-guard-pre-commit", "ci/check-and-report.sh", "ci/release-archive.sh")) {
            CertificateScriptsTest.run(java.nio.file.Path.of("."), List.of("bash", "-n", script));
        }
    }

    @Test
    void endToEndScriptAppliesOnlyMeshObjects() throws Exception {
        String out = CertificateScriptsTest.run(java.nio.file.Path.of("."), List.of("bash", "-c",
                "source <(sed -n '/^mesh_objects()/,/^}/p' deploy/e2e/kind-e2e.sh) && mesh_objects examples/broken/route-loop.yaml"));
        List<String> kinds = out.lines().filter(l -> l.startsWith("kind:")).toList();
        assertEquals(List.of("kind: ServiceEntry", "kind: Gateway", "kind: DestinationRule", "kind: VirtualService"), kinds);
        assertFalse(out.contains("kind: Deployment"));
        assertTrue(out.contains("name: slack-through-egress"));
    }
}
