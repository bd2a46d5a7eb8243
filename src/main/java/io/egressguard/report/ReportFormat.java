package io.egressguard.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;
import io.egressguard.model.Resource;
import io.egressguard.model.Severity;
import io.egressguard.rules.Catalogue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link Report}: kubectl-like text, JSON, SARIF 2.1.0 for code-scanning tools, or a GitLab Code
 * Quality report.
 */
public enum ReportFormat {
    TEXT, JSON, SARIF, CODEQUALITY;

    static final String INFORMATION_URI = "https://github.com/egress-guard/egress-guard";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String render(Report report, String version) {
        return switch (this) {
            case TEXT -> text(report);
            case JSON -> write(document(report));
            case SARIF -> write(sarif(report, version));
            case CODEQUALITY -> write(codeQuality(report));
        };
    }

    private static String text(Report r) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : r.findings()) {
            sb.append(f.severity().label()).append(' ').append(f.code()).append(' ').append(f.object())
                    .append(' ').append(f.path()).append(": ").append(f.message()).append('\n');
        }
        sb.append(summaryLine(r)).append('\n');
        return sb.toString();
    }

    static String summaryLine(Report r) {
        return r.objects() + " objects checked" + (r.ignored() > 0 ? " (" + r.ignored() + " of other kinds ignored)" : "")
                + ": " + r.count(Severity.ERROR) + " errors, " + r.count(Severity.WARNING) + " warnings, "
                + r.count(Severity.INFO) + " infos";
    }

    /** The JSON document of a report: {@code findings} and {@code summary}. */
    public static Map<String, Object> document(Report r) {
        List<Object> findings = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code", f.code());
            m.put("severity", f.severity().label());
            m.put("kind", f.object().kind().kindName());
            m.put("apiGroup", f.object().kind().group());
            m.put("namespace", f.object().namespace());
            m.put("name", f.object().name());
            m.put("path", f.path());
            m.put("message", f.message());
            m.put("detail", f.detail());
            m.put("related", f.related().stream().map(ObjectRef::toString).toList());
            Resource.Origin o = r.origins().get(f.object());
            if (o != null && o.document() > 0) {
                m.put("file", o.source());
                m.put("line", o.line());
            }
            findings.add(m);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("objects", r.objects());
        summary.put("ignored", r.ignored());
        summary.put("errors", r.count(Severity.ERROR));
        summary.put("warnings", r.count(Severity.WARNING));
        summary.put("infos", r.count(Severity.INFO));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("findings", findings);
        out.put("summary", summary);
        return out;
    }

    static Map<String, Object> sarif(Report r, String version) {
        List<Object> rules = new ArrayList<>();
        for (Catalogue c : Catalogue.values()) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("id", c.code());
            rule.put("name", c.title().replaceAll("[^A-Za-z0-9]+", " ").trim().replace(' ', '-'));
            rule.put("shortDescription", ordered("text", c.title()));
            rule.put("fullDescription", ordered("text", c.description()));
            rule.put("help", ordered("text", c.fix()));
            rule.put("helpUri", INFORMATION_URI + "/blob/main/docs/rules.md#" + c.code().toLowerCase());
            rule.put("defaultConfiguration", ordered("level", level(c.defaultSeverity())));
            rules.add(rule);
        }
        List<Object> results = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("ruleId", f.code());
            res.put("level", level(f.severity()));
            res.put("message", ordered("text", f.message() + " " + f.detail()));
            Map<String, Object> location = new LinkedHashMap<>();
            Resource.Origin o = r.origins().get(f.object());
            if (o != null && o.document() > 0) {
                Map<String, Object> physical = new LinkedHashMap<>();
                physical.put("artifactLocation", ordered("uri", o.source().replace('\\', '/')));
                physical.put("region", ordered("startLine", Math.max(1, o.line())));
                location.put("physicalLocation", physical);
            }
            location.put("logicalLocations", List.of(ordered("fullyQualifiedName", f.object() + " " + f.path(),
                    "kind", "object")));
            res.put("locations", List.of(location));
            results.add(res);
        }
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", "egress-guard");
        driver.put("version", version);
        driver.put("informationUri", INFORMATION_URI);
        driver.put("rules", rules);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("tool", ordered("driver", driver));
        run.put("results", results);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        out.put("version", "2.1.0");
        out.put("runs", List.of(run));
        return out;
    }

    /**
     * GitLab Code Quality: a JSON array of issues, each with a fingerprint that stays the same while the
     * finding does (code, object and field, not the line), so merge requests show new and fixed findings.
     * Findings on objects read from standard input or a cluster carry that origin ({@code -}, {@code cluster})
     * as their path, with line 1.
     */
    static List<Object> codeQuality(Report r) {
        List<Object> issues = new ArrayList<>();
        for (Finding f : r.findings()) {
            Resource.Origin o = r.origins().get(f.object());
            Map<String, Object> issue = new LinkedHashMap<>();
            issue.put("description", f.code() + " " + f.object() + " " + f.path() + ": " + f.message());
            issue.put("check_name", f.code());
            issue.put("fingerprint", fingerprint(f.code() + "|" + f.object() + "|" + f.path()));
            issue.put("severity", switch (f.severity()) {
                case ERROR -> "critical";
                case WARNING -> "major";
                case INFO -> "info";
            });
            String path = o == null ? "-" : o.source().replace('\\', '/');
            issue.put("location", ordered("path", path, "lines", ordered("begin", o == null ? 1 : Math.max(1, o.line()))));
            issues.add(issue);
        }
        return issues;
    }

    private static String fingerprint(String key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static String level(Severity s) {
        return switch (s) {
            case ERROR -> "error";
            case WARNING -> "warning";
            case INFO -> "note";
        };
    }

    private static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render report", e);
        }
    }

    /** A map that keeps the order of its keys: reports come out the same on every run. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
