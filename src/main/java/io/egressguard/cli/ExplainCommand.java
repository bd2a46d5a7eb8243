package io.egressguard.cli;

import io.egressguard.explain.Trace;
import io.egressguard.explain.TraceFormat;
import io.egressguard.explain.TraceRequest;
import io.egressguard.explain.Tracer;
import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Resource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code explain}: the path a request from a namespace to an external host takes, hop by hop, and where it
 * breaks. Reads manifest files (like {@code check}) or a live cluster (like {@code audit}).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Trace how a request from a namespace reaches an external host: the sidecar's route, the "
                + "egress gateway Service and its DestinationRule, the gateway's server and route, the ServiceEntry, "
                + "and the NetworkPolicy verdicts. Reads manifest files, or the cluster of a kubeconfig when no PATH "
                + "is given.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every hop works", "1:a hop is broken (its rule code and fix are printed)",
                "2:usage or input error, or the cluster cannot be read"})
public final class ExplainCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "PATH",
            description = "Files or directories (recursive: *.yaml, *.yml, *.json); - for standard input. "
                    + "Without PATH, the cluster of the kubeconfig is read.")
    List<String> paths = new ArrayList<>();

    @Option(names = "--from", required = true, paramLabel = "NAMESPACE[/LABELS]",
            description = "The client: a namespace, optionally with pod labels for NetworkPolicy podSelectors "
                    + "(e.g. shop/app=web,tier=front).")
    String from;

    @Option(names = "--to", required = true, paramLabel = "HOST[:PORT]",
            description = "The external host and port (default port: 80 for http, 443 for tls).")
    String to;

    @Option(names = "--protocol", paramLabel = "PROTOCOL",
            description = "http or tls (default: tls on port 443, http otherwise).")
    String protocol;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
            description = "text (default), json or mermaid.")
    String output;

    @Option(names = "--root-namespace", defaultValue = "istio-system",
            description = "Istio's root (config) namespace (default: istio-system).")
    String rootNamespace;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default",
            description = "Namespace of objects in files that name none (default: default).")
    String namespace;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Read the cluster of this kubeconfig (default: $KUBECONFIG or ~/.kube/config) instead of files.")
    Path kubeconfig;

    @Option(names = "--context", description = "kubeconfig context (default: the current one).")
    String context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final InputStream stdin;

    public ExplainCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TraceRequest request;
        TraceFormat format;
        try {
            request = TraceRequest.parse(from, to, protocol);
            format = TraceFormat.of(output);
            if (!paths.isEmpty() && (kubeconfig != null || context != null)) {
                throw new IllegalArgumentException("give manifest files (PATH...) or a cluster (--kubeconfig, --context), not both");
            }
        } catch (IllegalArgumentException e) {
            err.println("egress-guard explain: " + e.getMessage());
            return Cli.USAGE;
        }
        MeshSettings settings = MeshSettings.DEFAULT.withRootNamespace(rootNamespace);
        List<Resource> resources;
        if (paths.isEmpty()) {
            try {
                resources = AuditCommand.readCluster(kubeconfig, context, rootNamespace, err, "egress-guard explain");
            } catch (ClusterAccess.Failure e) {
                err.println("egress-guard explain: " + e.getMessage());
                return Cli.USAGE;
            }
        } else {
            ManifestReader reader = new ManifestReader(namespace);
            try {
                reader.readAll(paths, stdin);
            } catch (InputException e) {
                err.println("egress-guard explain: " + e.getMessage());
                return Cli.USAGE;
            }
            resources = reader.result().resources();
        }
        Trace trace = new Tracer(MeshSnapshot.of(settings, resources)).trace(request);
        out.print(format.render(trace));
        out.flush();
        return trace.broken() ? Cli.FINDINGS : Cli.OK;
    }
}
