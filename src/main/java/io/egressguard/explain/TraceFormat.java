package io.egressguard.explain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egressguard.model.Finding;
import io.egressguard.model.ObjectRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link Trace}: a readable hop list, JSON, or a Mermaid flowchart to paste into docs and issues. */
public enum TraceFormat {
    TEXT, JSON, MERMAID;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** @throws IllegalArgumentException with a message for the user */
    public static TraceFormat of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--output takes text, json or mermaid, not '" + name + "'");
        }
    }

    public String render(Trace t) {
        return switch (this) {
            case TEXT -> text(t);
            case JSON -> json(t);
            case MERMAID -> mermaid(t);
        };
    }

    private static String text(Trace t) {
        StringBuilder sb = new StringBuilder();
        sb.append("from ").append(t.request().namespace());
        if (t.request().labelsGiven()) {
            sb.append(' ').append(t.request().podLabels());
        }
        sb.append(" to ").append(t.request().host()).append(':').append(t.request().port()).append(" (")
                .append(t.request().protocol()).append(")\n");
        int i = 1;
        for (Hop h : t.hops()) {
            sb.append(String.format("%2d. %-7s %s: %s%n", i++, h.verdict().label(), h.kind().title(), h.summary()));
            for (String d : h.details()) {
                sb.append("             - ").append(d).append('\n');
            }
            if (h.verdict() == Hop.Verdict.BROKEN) {
                sb.append("             ").append(h.code() == null ? "" : h.code() + " ").append("fix: ").append(h.fix()).append('\n');
            }
            for (Finding f : h.findings()) {
                sb.append("             ").append(f.severity().label()).append(' ').append(f.code()).append(' ')
                        .append(f.object()).append(' ').append(f.path()).append(": ").append(f.message()).append('\n');
            }
        }
        sb.append("result: ").append(t.outcome()).append('\n');
        return sb.toString();
    }

    /** The JSON document: the request, the outcome and every hop. */
    public static Map<String, Object> document(Trace t) {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> from = new LinkedHashMap<>();
        from.put("namespace", t.request().namespace());
        from.put("podLabels", t.request().podLabels());
        doc.put("from", from);
        Map<String, Object> to = new LinkedHashMap<>();
        to.put("host", t.request().host());
        to.put("port", t.request().port());
        to.put("protocol", t.request().protocol());
        doc.put("to", to);
        doc.put("path", t.path().id());
        doc.put("reached", t.reached());
        doc.put("broken", t.broken());
        doc.put("outcome", t.outcome());
        List<Object> hops = new ArrayList<>();
        int i = 1;
        for (Hop h : t.hops()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", i++);
            m.put("kind", h.kind().id());
            m.put("title", h.kind().title());
            m.put("verdict", h.verdict().label());
            m.put("summary", h.summary());
            m.put("objects", h.objects().stream().map(ObjectRef::toString).toList());
            m.put("details", h.details());
            if (h.code() != null) {
                m.put("code", h.code());
            }
            if (h.fix() != null) {
                m.put("fix", h.fix());
            }
            List<Object> fs = new ArrayList<>();
            for (Finding f : h.findings()) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("code", f.code());
                fm.put("severity", f.severity().label());
                fm.put("object", f.object().toString());
                fm.put("path", f.path());
                fm.put("message", f.message());
                fs.add(fm);
            }
            m.put("findings", fs);
            hops.add(m);
        }
        doc.put("hops", hops);
        return doc;
    }

    private static String json(Trace t) {
        try {
            return MAPPER.writeValueAsString(document(t)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the trace", e);
        }
    }

    /**
     * {@code flowchart LR}: the pod, then each hop of the path, then the external host; NetworkPolicy verdicts
     * hang off the pod with dotted edges. Broken hops are red and carry their code, skipped ones are dashed.
     */
    private static String mermaid(Trace t) {
        StringBuilder sb = new StringBuilder("flowchart LR\n");
        sb.append("  pod([\"pod in ").append(escape(t.request().namespace())).append("\"])\n");
        String previous = "pod";
        List<String> broken = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int i = 1;
        for (Hop h : t.hops()) {
            String id = "h" + i++;
            String label = (h.verdict() == Hop.Verdict.BROKEN ? "✗ " + (h.code() == null ? "" : h.code() + " ") : "")
                    + h.kind().title() + "<br/>" + escape(objectsLine(h));
            sb.append("  ").append(id).append("[\"").append(label).append("\"]\n");
            boolean policy = h.kind() == HopKind.POLICY_TO_GATEWAY || h.kind() == HopKind.POLICY_TO_DNS
                    || h.kind() == HopKind.POLICY_TO_INTERNET;
            if (policy) {
                sb.append("  pod -.->|").append(h.verdict().label()).append("| ").append(id).append('\n');
            } else {
                sb.append("  ").append(previous).append(" --> ").append(id).append('\n');
                previous = id;
            }
            if (h.verdict() == Hop.Verdict.BROKEN) {
                broken.add(id);
            } else if (h.verdict() == Hop.Verdict.SKIPPED) {
                skipped.add(id);
            }
        }
        String target = "\"" + escape(t.request().host() + ":" + t.request().port()) + "\"";
        sb.append("  ext((").append(target).append("))\n");
        sb.append("  ").append(previous).append(t.reached() ? " --> " : " -.-x ").append("ext\n");
        sb.append("  classDef broken fill:#fdd,stroke:#c00,stroke-width:2px\n");
        sb.append("  classDef skipped stroke-dasharray:4 4,color:#888\n");
        if (!broken.isEmpty()) {
            sb.append("  class ").append(String.join(",", broken)).append(" broken\n");
        }
        if (!skipped.isEmpty()) {
            sb.append("  class ").append(String.join(",", skipped)).append(" skipped\n");
        }
        return sb.toString();
    }

    private static String objectsLine(Hop h) {
        if (h.objects().isEmpty()) {
            return switch (h.kind()) {
                case POLICY_TO_GATEWAY, POLICY_TO_DNS, POLICY_TO_INTERNET -> "no NetworkPolicy restricts egress";
                default -> h.verdict() == Hop.Verdict.SKIPPED ? "not reached" : "no object";
            };
        }
        List<String> names = h.objects().stream().limit(2).map(ObjectRef::toString).toList();
        return String.join(", ", names) + (h.objects().size() > 2 ? " +" + (h.objects().size() - 2) : "");
    }

    /** Mermaid labels are quoted strings: quotes and angle brackets become entities. */
    private static String escape(String s) {
        return s.replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;");
    }
}
