package io.egressguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckCommandTest {

    static final String SERVICE_ENTRY = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: github
            spec:
              hosts: [api.github.com]
              ports:
              - {number: 443, name: tls, protocol: TLS}
              resolution: %s
            """;

    static final String GATEWAY_AND_ROUTES = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: egress
            spec:
              selector: {istio: egressgateway}
              servers:
              - port: {number: 443, name: tls, protocol: TLS}
                hosts: [api.github.com]
                tls: {mode: PASSTHROUGH}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: egress-subsets
            spec:
              host: istio-egressgateway.istio-system.svc.cluster.local
              subsets: [{name: github}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: github-through-egress
            spec:
              hosts: [api.github.com]
              gateways: [mesh, egress]
              tls:
              - match: [{gateways: [mesh], port: 443, sniHosts: [api.github.com]}]
                route:
                - destination: {host: istio-egressgateway.istio-system.svc.cluster.local, subset: github, port: {number: 443}}
              - match: [{gateways: [egress], port: 443, sniHosts: [api.github.com]}]
                route:
                - destination: {host: api.github.com, port: {number: 443}}
            """;

    record Run(int status, String out, String err) {
    }

    static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Cli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err));
        return new Run(status, out.toString(), err.toString());
    }

    static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void correctConfigurationExitsZero(@TempDir Path dir) throws IOException {
        write(dir, "a/se.yaml", SERVICE_ENTRY.formatted("DNS"));
        write(dir, "a/b/routes.yml", GATEWAY_AND_ROUTES);
        Run r = run("", "check", dir.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        // Without Namespace objects the client namespaces are unknown: EG301 can only advise.
        assertTrue(r.out().contains("4 objects checked: 0 errors, 0 warnings, 1 infos"), r.out());
    }

    @Test
    void errorFindingExitsOneAndNamesCodeObjectAndPath(@TempDir Path dir) throws IOException {
        write(dir, "se.yaml", SERVICE_ENTRY.formatted("NONE"));
        write(dir, "routes.yaml", GATEWAY_AND_ROUTES);
        Run r = run("", "check", dir.toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().contains("error EG101 ServiceEntry default/github spec.resolution: "), r.out());
        assertTrue(r.out().contains("error EG101 VirtualService default/github-through-egress spec.tls[1].route[0].destination.host"),
                r.out());
    }

    @Test
    void jsonOutputFollowsTheContract(@TempDir Path dir) throws IOException {
        write(dir, "all.yaml", SERVICE_ENTRY.formatted("NONE") + "---\n" + GATEWAY_AND_ROUTES);
        Run r = run("", "check", "-o", "json", dir.toString());
        JsonNode json = new ObjectMapper().readTree(r.out());
        JsonNode first = null;
        for (JsonNode f : json.get("findings")) {
            first = first == null && f.get("code").asText().equals("EG101") ? f : first;
        }
        assertEquals("EG101", first.get("code").asText());
        assertEquals("error", first.get("severity").asText());
        assertEquals("ServiceEntry", first.get("kind").asText());
        assertEquals("default", first.get("namespace").asText());
        assertEquals("github", first.get("name").asText());
        assertEquals("spec.resolution", first.get("path").asText());
        assertTrue(first.get("message").asText().length() <= 120);
        assertEquals("VirtualService default/github-through-egress", first.get("related").get(0).asText());
        assertEquals(1, first.get("line").asInt());
        assertEquals(4, json.get("summary").get("objects").asInt());
        assertEquals(2, json.get("summary").get("errors").asInt());
    }

    @Test
    void sarifOutputIsSarif210WithRulesAndLocations(@TempDir Path dir) throws IOException {
        Path file = write(dir, "all.yaml", GATEWAY_AND_ROUTES + "---\n" + SERVICE_ENTRY.formatted("NONE"));
        Run r = run("", "check", "-o", "sarif", file.toString());
        JsonNode sarif = new ObjectMapper().readTree(r.out());
        assertEquals("2.1.0", sarif.get("version").asText());
        JsonNode run = sarif.get("runs").get(0);
        assertEquals(io.egressguard.rules.Catalogue.values().length, run.get("tool").get("driver").get("rules").size());
        JsonNode result = null;
        for (JsonNode x : run.get("results")) {
            result = result == null && x.get("ruleId").asText().equals("EG101") ? x : result;
        }
        assertEquals("EG101", result.get("ruleId").asText());
        assertEquals("error", result.get("level").asText());
        JsonNode physical = result.get("locations").get(0).get("physicalLocation");
        assertEquals(file.toString(), physical.get("artifactLocation").get("uri").asText());
        assertTrue(physical.get("region").get("startLine").asInt() > 1, "the ServiceEntry is the last document");
    }

    /** GitLab Code Quality: the fields GitLab reads, a line per finding, fingerprints that survive moved lines. */
    @Test
    void codeQualityOutputIsAGitLabReport(@TempDir Path dir) throws IOException {
        Path file = write(dir, "all.yaml", GATEWAY_AND_ROUTES + "---\n" + SERVICE_ENTRY.formatted("NONE"));
        Run r = run("", "check", "-o", "codequality", file.toString());
        assertEquals(1, r.status(), r.err());
        JsonNode issues = new ObjectMapper().readTree(r.out());
        assertTrue(issues.isArray());
        Run json = run("", "check", "-o", "json", file.toString());
        assertEquals(new ObjectMapper().readTree(json.out()).get("findings").size(), issues.size());
        java.util.Set<String> fingerprints = new java.util.HashSet<>();
        JsonNode serviceEntry = null;
        for (JsonNode issue : issues) {
            for (String field : java.util.List.of("description", "check_name", "fingerprint", "severity")) {
                assertFalse(issue.path(field).asText().isEmpty(), field + " missing in " + issue);
            }
            assertTrue(fingerprints.add(issue.get("fingerprint").asText()), "duplicate fingerprint " + issue);
            assertEquals(file.toString(), issue.get("location").get("path").asText());
            assertTrue(issue.get("location").get("lines").get("begin").asInt() >= 1, issue.toString());
            if (issue.get("description").asText().startsWith("EG101 ServiceEntry default/github spec.resolution")) {
                serviceEntry = issue;
            }
        }
        assertEquals("EG101", serviceEntry.get("check_name").asText());
        assertEquals("critical", serviceEntry.get("severity").asText());
        int line = serviceEntry.get("location").get("lines").get("begin").asInt();
        assertTrue(line > 1, "the ServiceEntry is the last document");

        // Moved to the top of the file: another line, the same fingerprint. A warning is "major".
        Files.writeString(file, SERVICE_ENTRY.formatted("NONE") + "---\n" + GATEWAY_AND_ROUTES);
        JsonNode moved = null;
        for (JsonNode issue : new ObjectMapper().readTree(run("", "check", "-o", "codequality", "--severity", "EG101=warn",
                file.toString()).out())) {
            moved = issue.get("description").asText().startsWith("EG101 ServiceEntry default/github spec.resolution")
                    ? issue : moved;
        }
        assertEquals(serviceEntry.get("fingerprint"), moved.get("fingerprint"));
        assertEquals(1, moved.get("location").get("lines").get("begin").asInt());
        assertEquals("major", moved.get("severity").asText());
    }

    @Test
    void severityOverridesAndFailOn(@TempDir Path dir) throws IOException {
        write(dir, "all.yaml", SERVICE_ENTRY.formatted("NONE") + "---\n" + GATEWAY_AND_ROUTES);
        Run warned = run("", "check", "--severity", "EG101=warn", dir.toString());
        assertEquals(0, warned.status());
        assertTrue(warned.out().contains("warning EG101"), warned.out());
        assertEquals(1, run("", "check", "--severity", "EG101=warn", "--fail-on", "warning", dir.toString()).status());
        Run off = run("", "check", "--severity", "EG101=off", dir.toString());
        assertEquals(0, off.status());
        assertFalse(off.out().contains("EG101"), off.out());
    }

    @Test
    void readsStandardInputListsAndJson() {
        String list = """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
                   "metadata": {"name": "github", "namespace": "shop"},
                   "spec": {"hosts": ["api.github.com"], "resolution": "DNS"}},
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}]}
                """;
        Run r = run(list, "check", "-");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("1 objects checked (1 of other kinds ignored)"), r.out());
    }

    @Test
    void invalidYamlExitsTwoNamingFileAndDocumentWithNothingOnStdout(@TempDir Path dir) throws IOException {
        Path f = write(dir, "bad.yaml", SERVICE_ENTRY.formatted("DNS") + "---\nkind: [unclosed\n");
        Run r = run("", "check", f.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().contains(f + " (document 2): invalid YAML"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void wronglyShapedSpecExitsTwoNamingTheField(@TempDir Path dir) throws IOException {
        Path f = write(dir, "se.yaml", SERVICE_ENTRY.formatted("SOMETIMES"));
        Run r = run("", "check", f.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("(document 1): ServiceEntry: spec.resolution"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void missingPathAndBadOptionsExitTwo() {
        Run missing = run("", "check", "/no/such/dir");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("/no/such/dir: no such file or directory"), missing.err());
        assertEquals(2, run("", "check", "--output", "xml", "-").status());
        assertEquals(2, run("", "check", "--severity", "EG999=warn", "-").status());
        assertEquals(2, run("", "check", "--bogus").status());
        assertEquals(2, run("", "check").status());
        assertEquals(2, run("", "frobnicate").status());
    }

    @Test
    void helpExitsZero() {
        Run r = run("", "check", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--fail-on"), r.out());
    }
}
