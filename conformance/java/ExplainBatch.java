import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.explain.Trace;
import io.egressguard.explain.TraceFormat;
import io.egressguard.explain.TraceRequest;
import io.egressguard.explain.Tracer;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;

import java.io.BufferedReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Runs many {@code explain -o json} and {@code check} requests in one JVM, with the same calls as the CLI's
 * ExplainCommand and CheckCommand (default settings, root namespace istio-system, default namespace default).
 * Input lines (tab separated):
 * <pre>
 * explain  OUT_FILE  FROM  TO  PROTOCOL  PATH...
 * check    OUT_FILE  PATH...
 * </pre>
 * explain writes the JSON document of the trace; check writes the finding codes with severities, one per line.
 * A request that fails writes "error: message".
 */
public final class ExplainBatch {
    public static void main(String[] args) throws Exception {
        BufferedReader in = args.length > 0 ? Files.newBufferedReader(Path.of(args[0])) : new BufferedReader(
                new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cachedKey = null;
        MeshSnapshot snapshot = null;
        List<Finding> findings = null;
        InputStream noStdin = InputStream.nullInputStream();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            boolean explain = f[0].equals("explain");
            Path out = Path.of(f[1]);
            List<String> paths = new ArrayList<>(Arrays.asList(f).subList(explain ? 5 : 2, f.length));
            String text;
            try {
                String key = String.join("\t", paths);
                if (!key.equals(cachedKey)) {
                    ManifestReader reader = new ManifestReader("default");
                    reader.readAll(paths, noStdin);
                    snapshot = MeshSnapshot.of(MeshSettings.DEFAULT.withRootNamespace("istio-system"), reader.result().resources());
                    findings = new Engine(EngineConfig.defaults()).check(snapshot);
                    cachedKey = key;
                }
                if (explain) {
                    TraceRequest request = TraceRequest.parse(f[2], f[3], f[4].isEmpty() ? null : f[4]);
                    Trace trace = new Tracer(snapshot, findings).trace(request);
                    text = TraceFormat.JSON.render(trace);
                } else {
                    TreeSet<String> codes = new TreeSet<>();
                    for (Finding x : findings) {
                        codes.add(x.code() + " " + x.severity().label());
                    }
                    text = String.join("\n", codes) + "\n";
                }
            } catch (Exception | StackOverflowError e) {
                cachedKey = null;
                text = "error: " + String.valueOf(e.getMessage()).replace('\n', ' ') + "\n";
            }
            Files.createDirectories(out.getParent());
            Files.writeString(out, text);
        }
    }
}
