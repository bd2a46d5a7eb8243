package io.egressguard.cli;

import io.egressguard.report.Report;
import io.egressguard.report.ReportFormat;
import io.egressguard.engine.EngineConfig;
import io.egressguard.model.Severity;
import io.egressguard.rules.Catalogue;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The options every reporting command shares: format, severities, exit threshold, Istio root namespace. */
public final class ReportOptions {

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "FORMAT",
            description = "text (default), json, sarif or codequality (GitLab Code Quality).")
    String output;

    @Option(names = "--severity", paramLabel = "CODE=ACTION",
            description = "Override a rule's severity: deny, warn, info or off (repeatable).")
    List<String> severities = new ArrayList<>();

    @Option(names = "--fail-on", defaultValue = "error", paramLabel = "LEVEL",
            description = "Exit 1 on findings at or above this level: error (default) or warning.")
    String failOn;

    @Option(names = "--root-namespace", defaultValue = "istio-system",
            description = "Istio's root (config) namespace (default: istio-system).")
    String rootNamespace;

    /** What the options mean, validated; an IllegalArgumentException carries the message for the user. */
    record Parsed(ReportFormat format, Severity threshold, EngineConfig config) {

        /** Prints the whole report at once (never half of it) and returns the exit status it calls for. */
        int print(Report report, java.io.PrintWriter out) {
            out.print(format.render(report, Cli.version()));
            out.flush();
            return report.fails(threshold) ? Cli.FINDINGS : Cli.OK;
        }
    }

    /**
     * @param base       the rules the command runs
     * @param auditRules whether they include the audit-only ones (EG9xx), which only {@code audit} runs
     */
    Parsed parse(EngineConfig base, boolean auditRules) {
        if (!auditRules) {
            for (String spec : severities) {
                String code = spec.contains("=") ? spec.substring(0, spec.indexOf('=')).trim() : spec.trim();
                Catalogue.of(code).filter(Catalogue::auditOnly).ifPresent(c -> {
                    throw new IllegalArgumentException("--severity " + spec + ": " + c.code()
                            + " is an audit-only rule (it judges the whole cluster); only audit runs it");
                });
            }
        }
        ReportFormat format;
        try {
            format = ReportFormat.valueOf(output.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--output takes text, json, sarif or codequality, not '" + output + "'");
        }
        Severity threshold = switch (failOn) {
            case "error" -> Severity.ERROR;
            case "warning" -> Severity.WARNING;
            default -> throw new IllegalArgumentException("--fail-on takes error or warning, not '" + failOn + "'");
        };
        return new Parsed(format, threshold, base.withOverrides(severities));
    }
}
