package io.egressguard.rules;

import io.egressguard.model.Kind;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Renders {@code docs/rules.md} from the catalogue, the one source of every code's text. */
public final class RulesDoc {

    private RulesDoc() {
    }

    public static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# egress-guard rules\n\n")
                .append("<!-- Generated from src/main/java/io/egressguard/rules/Catalogue.java by RulesDocTest; "
                        + "do not edit by hand. Regenerate: ./mvnw test -Dtest=RulesDocTest -Degressguard.updateDocs=true -->\n\n")
                .append("Every finding carries one of these codes. Severities are defaults: override them per code with "
                        + "`--severity CODE=deny|warn|info|off` (CLI) or the webhook configuration, and silence a code on "
                        + "one object with the annotation `egress-guard.io/suppress: \"CODE,...\"`.\n\n")
                .append("| code | default | reported on | title |\n|---|---|---|---|\n");
        for (Catalogue c : Catalogue.values()) {
            sb.append("| [").append(c.code()).append("](#").append(c.code().toLowerCase()).append(") | ")
                    .append(c.defaultSeverity().label()).append(" | ").append(kinds(c)).append(" | ")
                    .append(c.title()).append(" |\n");
        }
        for (Catalogue c : Catalogue.values()) {
            sb.append("\n## ").append(c.code()).append("\n\n")
                    .append("**").append(c.title()).append("** (default: ").append(c.defaultSeverity().label())
                    .append("; reported on ").append(kinds(c)).append(")\n\n")
                    .append(c.description()).append("\n\n")
                    .append("Fix: ").append(c.fix()).append('\n');
        }
        return sb.toString();
    }

    private static String kinds(Catalogue c) {
        return Arrays.stream(c.reportsOn()).map(RulesDoc::kindName).distinct().collect(Collectors.joining(", "));
    }

    private static String kindName(Kind k) {
        return k == Kind.KUBERNETES_GATEWAY ? "Gateway (gateway.networking.k8s.io)" : k.kindName();
    }
}
