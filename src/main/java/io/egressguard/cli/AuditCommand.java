package io.egressguard.cli;

import io.egressguard.report.Report;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.ModelTypes;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.Kind;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code audit}: checks the live cluster (through a kubeconfig) exactly as {@code check} checks files. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Check the Istio egress configuration of a live cluster, audit-only rules (EG9xx) included. "
                + "Reads through a kubeconfig; changes nothing.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_FINDINGS, "2:usage error, or the cluster cannot be read"})
public final class AuditCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ReportOptions report = new ReportOptions();

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", description = "kubeconfig context (default: the current one).")
    String context;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "Report findings on objects of these namespaces only (repeatable; the whole cluster is still read).")
    Set<String> namespaces = new java.util.TreeSet<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReportOptions.Parsed options;
        try {
            options = report.parse(EngineConfig.defaults().withAuditRules(), true);
        } catch (IllegalArgumentException e) {
            err.println("egress-guard audit: " + e.getMessage());
            return Cli.USAGE;
        }
        List<Resource> resources;
        try {
            resources = readCluster(kubeconfig, context, report.rootNamespace, err, "egress-guard audit");
        } catch (ClusterAccess.Failure e) {
            err.println("egress-guard audit: " + e.getMessage());
            return Cli.USAGE;
        }
        MeshSnapshot snapshot = MeshSnapshot.of(MeshSettings.DEFAULT.withRootNamespace(report.rootNamespace), resources);
        Report all = CheckCommand.report(snapshot, options.config(), 0);
        List<Finding> shown = namespaces.isEmpty() ? all.findings() : all.findings().stream()
                .filter(f -> namespaces.contains(f.object().kind().namespaced() ? f.object().namespace() : f.object().name()))
                .toList();
        Report result = new Report(shown, all.origins(), all.objects(), 0);
        return options.print(result, out);
    }

    /** Every object of the kinds egress-guard reads, from the cluster the kubeconfig (and context) names. */
    static List<Resource> readCluster(Path kubeconfig, String context, String rootNamespace, PrintWriter err, String command)
            throws ClusterAccess.Failure {
        Config config = ClusterAccess.config(kubeconfig, context);
        List<Resource> resources = new ArrayList<>();
        try (KubernetesClient client = ClusterAccess.client(config)) {
            ClusterAccess.probe(client, config);
            long order = 0;
            for (Kind k : ModelTypes.CLUSTER_KINDS) {
                try {
                    List<? extends HasMetadata> items = ModelTypes.list(client, k, rootNamespace);
                    for (HasMetadata o : items) {
                        resources.add(new Resource(new ObjectRef(k, k.namespaced() ? o.getMetadata().getNamespace() : null,
                                o.getMetadata().getName()), o, Resource.Origin.of("cluster"), order++));
                    }
                } catch (KubernetesClientException e) {
                    if (k == Kind.CONFIG_MAP && e.getCode() > 0) {
                        err.println(command + ": the mesh config (ConfigMap " + rootNamespace + "/"
                                + ModelTypes.MESH_CONFIG_NAME + ") cannot be read (HTTP " + e.getCode()
                                + "): outboundTrafficPolicy taken as ALLOW_ANY");
                    } else if (e.getCode() == 404) {
                        err.println(command + ": " + k.displayName() + " is not served by this cluster (skipped)");
                    } else if (e.getCode() > 0) {
                        throw new ClusterAccess.Failure("cannot list " + k.displayName() + " objects: HTTP " + e.getCode()
                                + " " + firstLine(e.getStatus() != null && e.getStatus().getMessage() != null
                                        ? e.getStatus().getMessage() : e.getMessage()));
                    } else {
                        throw new ClusterAccess.Failure(ClusterAccess.unreachable(config, ClusterAccess.cause(e)));
                    }
                }
            }
        }
        return resources;
    }

    static String firstLine(String s) {
        return ClusterAccess.firstLine(s);
    }
}
