package io.egressguard.cli;

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
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
            options = report.parse(EngineConfig.defaults().withAuditRules());
        } catch (IllegalArgumentException e) {
            err.println("egress-guard audit: " + e.getMessage());
            return Cli.USAGE;
        }
        List<Resource> resources;
        try {
            resources = readCluster(kubeconfig, context, err, "egress-guard audit");
        } catch (KubernetesClientException | IOException e) {
            err.println("egress-guard audit: cannot read the cluster: " + firstLine(e.getMessage()));
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
    static List<Resource> readCluster(Path kubeconfig, String context, PrintWriter err, String command) throws IOException {
        List<Resource> resources = new ArrayList<>();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config(kubeconfig, context)).build()) {
            long order = 0;
            for (Kind k : ModelTypes.CLUSTER_KINDS) {
                try {
                    var op = client.resources(ModelTypes.classOf(k));
                    List<? extends HasMetadata> items = k.namespaced() ? op.inAnyNamespace().list().getItems()
                            : op.list().getItems();
                    for (HasMetadata o : items) {
                        resources.add(new Resource(new ObjectRef(k, k.namespaced() ? o.getMetadata().getNamespace() : null,
                                o.getMetadata().getName()), o, Resource.Origin.of("cluster"), order++));
                    }
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                    err.println(command + ": " + k.displayName() + " is not served by this cluster (skipped)");
                }
            }
        }
        return resources;
    }

    /**
     * fabric8 lets system properties and environment variables ({@code kubernetes.master}, ...) override a
     * kubeconfig; a kubeconfig named on the command line is what the user asked for, so its cluster wins.
     */
    private static Config config(Path kubeconfig, String context) throws IOException {
        if (kubeconfig == null) {
            return Config.autoConfigure(context);
        }
        String contents = Files.readString(kubeconfig);
        Config config = Config.fromKubeconfig(context, contents, kubeconfig.toString());
        io.fabric8.kubernetes.api.model.Config parsed =
                io.fabric8.kubernetes.client.internal.KubeConfigUtils.parseConfigFromString(contents);
        String name = context != null ? context : parsed.getCurrentContext();
        for (var ctx : parsed.getContexts() == null ? List.<io.fabric8.kubernetes.api.model.NamedContext>of() : parsed.getContexts()) {
            if (ctx.getName().equals(name) && ctx.getContext() != null) {
                for (var cluster : parsed.getClusters()) {
                    if (cluster.getName().equals(ctx.getContext().getCluster()) && cluster.getCluster() != null) {
                        config.setMasterUrl(cluster.getCluster().getServer());
                    }
                }
            }
        }
        return config;
    }

    static String firstLine(String s) {
        return s == null ? "unknown error" : s.lines().findFirst().orElse(s);
    }
}
