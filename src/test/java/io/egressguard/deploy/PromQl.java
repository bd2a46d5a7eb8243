package io.egressguard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of the Grafana dashboard and the PrometheusRule in {@code deploy/}, and the metric names and
 * label names their expressions use.
 */
public final class PromQl {

    public static final Path DASHBOARD = Path.of("deploy/grafana/egress-guard.json");
    public static final Path RULES = Path.of("deploy/prometheus/egress-guard-rules.yaml");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

    private PromQl() {
    }

    /** Every PromQL expression of the dashboard (panel targets, variable queries), by where it is. */
    public static Map<String, String> dashboardExpressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.put("panel '" + panel.get("title").asText() + "' " + target.get("refId").asText(), target.get("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            String query = variable.path("definition").asText("");
            Matcher m = Pattern.compile("^label_values\\((.+),\\s*\\w+\\)$").matcher(query);
            if (m.matches()) {
                out.put("variable " + variable.get("name").asText(), m.group(1));
            }
        }
        return out;
    }

    /** Every alert expression of the PrometheusRule, by alert name. */
    public static Map<String, String> alertExpressions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<?, ?> rule : alertRules()) {
            out.put((String) rule.get("alert"), ((String) rule.get("expr")).strip());
        }
        return out;
    }

    public static List<Map<?, ?>> alertRules() throws IOException {
        Map<?, ?> doc = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(RULES));
        List<Map<?, ?>> rules = new ArrayList<>();
        for (Object group : (List<?>) ((Map<?, ?>) doc.get("spec")).get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                rules.add((Map<?, ?>) rule);
            }
        }
        return rules;
    }

    /**
     * The metric names an expression reads: identifiers left once strings, label matchers, ranges, grouping
     * label lists and Grafana variables are removed, that are neither functions (followed by a parenthesis)
     * nor keywords.
     */
    public static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{?\\w+}?", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String rest = s.substring(m.end()).stripLeading();
            boolean function = rest.startsWith("(");
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1)); // 1e3, 5m
            if (!function && !number && !KEYWORDS.contains(m.group().toLowerCase())) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The label names each metric is selected by in an expression ({@code metric{label="..."}}). */
    public static Map<String, Set<String>> selectorLabels(String expr) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            Matcher label = MATCHER.matcher(m.group(2).replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\""));
            while (label.find()) {
                out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(label.group(1));
            }
        }
        return out;
    }
}
