package io.egressguard.cli;

import io.egressguard.report.Report;
import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code check}: analyses manifest files as one cluster state, like {@code istioctl analyze} on files. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check Istio egress configuration in manifest files. All objects given form the cluster "
                + "state; every object is checked against it.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {Cli.EXIT_OK, Cli.EXIT_FINDINGS, "2:usage or input error"})
public final class CheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Files or directories (recursive: *.yaml, *.yml, *.json); - for standard input.")
    List<String> paths = new ArrayList<>();

    @CommandLine.Mixin
    ReportOptions report = new ReportOptions();

    @Option(names = {"-n", "--namespace"}, defaultValue = "default",
            description = "Namespace of objects that name none (default: default).")
    String namespace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final InputStream stdin;

    public CheckCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReportOptions.Parsed options;
        try {
            options = report.parse(EngineConfig.defaults(), false);
        } catch (IllegalArgumentException e) {
            err.println("egress-guard check: " + e.getMessage());
            return Cli.USAGE;
        }
        ManifestReader reader = new ManifestReader(namespace);
        try {
            reader.readAll(paths, stdin);
        } catch (InputException e) {
            err.println("egress-guard check: " + e.getMessage());
            return Cli.USAGE;
        }
        ManifestReader.Result read = reader.result();
        Report result = run(read, options.config(), MeshSettings.DEFAULT.withRootNamespace(report.rootNamespace));
        return options.print(result, out);
    }

    static Report run(ManifestReader.Result read, EngineConfig config, MeshSettings settings) {
        return report(MeshSnapshot.of(settings, read.resources()), config, read.ignored());
    }

    /** Checks every object of the snapshot; the report keeps where each object came from. */
    static Report report(MeshSnapshot snapshot, EngineConfig config, int ignored) {
        List<Finding> findings = new Engine(config).check(snapshot);
        Map<ObjectRef, Resource.Origin> origins = new LinkedHashMap<>();
        for (Resource r : snapshot.resources()) {
            origins.put(r.ref(), r.origin());
        }
        return new Report(findings, origins, snapshot.size(), ignored);
    }
}
