package io.egressguard.cli;

import io.egressguard.engine.Engine;
import io.egressguard.engine.EngineConfig;
import io.egressguard.load.InputException;
import io.egressguard.load.ManifestReader;
import io.egressguard.mesh.MeshSettings;
import io.egressguard.mesh.MeshSnapshot;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
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
        exitCodeList = {"0:no error-level finding", "1:at least one error (or warning with --fail-on warning)",
                "2:usage or input error"})
public final class CheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "Files or directories (recursive: *.yaml, *.yml, *.json); - for standard input.")
    List<String> paths = new ArrayList<>();

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
            description = "text (default), json or sarif.")
    String output;

    @Option(names = "--severity", paramLabel = "CODE=ACTION",
            description = "Override a rule's severity: deny, warn, info or off (repeatable).")
    List<String> severities = new ArrayList<>();

    @Option(names = "--fail-on", defaultValue = "error", paramLabel = "LEVEL",
            description = "Exit 1 on findings at or above this level: error (default) or warning.")
    String failOn;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default",
            description = "Namespace of objects that name none (default: default).")
    String namespace;

    @Option(names = "--root-namespace", defaultValue = "istio-system",
            description = "Istio's root (config) namespace (default: istio-system).")
    String rootNamespace;

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
        ReportFormat format;
        Severity threshold;
        EngineConfig config = EngineConfig.defaults();
        try {
            format = ReportFormat.valueOf(output.toUpperCase(java.util.Locale.ROOT));
            threshold = switch (failOn) {
                case "error" -> Severity.ERROR;
                case "warning" -> Severity.WARNING;
                default -> throw new IllegalArgumentException("--fail-on takes error or warning, not '" + failOn + "'");
            };
            for (String s : severities) {
                config = config.withOverride(s);
            }
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage().startsWith("No enum") ? "--output takes text, json or sarif, not '" + output + "'"
                    : e.getMessage();
            err.println("egress-guard check: " + msg);
            return Cli.USAGE;
        }
        ManifestReader reader = new ManifestReader(namespace);
        try {
            for (String p : paths) {
                if (p.equals("-")) {
                    reader.read("-", stdin);
                } else {
                    reader.read(Path.of(p));
                }
            }
        } catch (InputException e) {
            err.println("egress-guard check: " + e.getMessage());
            return Cli.USAGE;
        }
        ManifestReader.Result read = reader.result();
        Report report = run(read, config, MeshSettings.DEFAULT.withRootNamespace(rootNamespace));
        out.print(format.render(report, Cli.version()));
        out.flush();
        return report.fails(threshold) ? Cli.FINDINGS : Cli.OK;
    }

    static Report run(ManifestReader.Result read, EngineConfig config, MeshSettings settings) {
        MeshSnapshot snapshot = MeshSnapshot.of(settings, read.resources());
        List<Finding> findings = new Engine(config).check(snapshot);
        Map<ObjectRef, Resource.Origin> origins = new LinkedHashMap<>();
        for (Resource r : snapshot.resources()) {
            origins.put(r.ref(), r.origin());
        }
        return new Report(findings, origins, snapshot.size(), read.ignored());
    }
}
