package io.egressguard.integrations;

import io.egressguard.Prerequisites;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.egressguard.cli.Cli;
import io.egressguard.integrations.Processes.Result;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code helm template ... | egress-guard check -} and {@code kustomize build ... | egress-guard check -}: what
 * these tools print ({@code # Source:} comments, documents that hold only a comment, {@code List} objects,
 * objects without a namespace) is read as it comes, and findings point at the line of the rendered stream.
 */
class RenderedManifestsTest {

    static final Path CHART = Path.of("src/test/resources/integrations/helm/slack-egress");
    static final Path KUSTOMIZE = Path.of("src/test/resources/integrations/kustomize");
    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int status, String out, String err) {
    }

    static Run check(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("check"));
        all.addAll(List.of(args));
        all.add("-");
        int status = Cli.run(all.toArray(String[]::new), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err));
        return new Run(status, out.toString(), err.toString());
    }

    static String helmTemplate(Map<String, String> values) {
        TemplateCommand template = new Helm(CHART).template().withName("slack").withNamespace("shop");
        values.forEach(template::set);
        return template.call();
    }

    @Test
    void helmTemplateOutputIsChecked() throws Exception {
        String rendered = helmTemplate(Map.of());
        // What makes Helm's output different from a hand-written file is really there.
        assertTrue(rendered.contains("# Source: slack-egress/templates/notes.yaml\n# This template renders only this comment"),
                rendered);
        assertTrue(rendered.contains("kind: List"), rendered);
        assertTrue(!rendered.contains("namespace:"), "helm template leaves the namespace to the client");

        Run r = check(rendered, "-n", "shop", "-o", "json");
        assertEquals(0, r.status(), r.err() + r.out());
        JsonNode summary = JSON.readTree(r.out()).get("summary");
        assertEquals(4, summary.get("objects").asInt(), r.out()); // ServiceEntry and VirtualService, Gateway and DestinationRule from the List
        assertEquals(1, summary.get("ignored").asInt(), r.out()); // the ConfigMap in the List
        assertEquals(0, summary.get("errors").asInt() + summary.get("warnings").asInt(), r.out());
    }

    @Test
    void helmTemplateWithALoopFailsAndPointsAtTheRenderedLine() throws Exception {
        String rendered = helmTemplate(Map.of("splitHops", "false"));
        Run r = check(rendered, "-n", "shop", "-o", "json");
        assertEquals(1, r.status(), r.err() + r.out());
        JsonNode loop = null;
        for (JsonNode f : JSON.readTree(r.out()).get("findings")) {
            loop = f.get("code").asText().equals("EG202") ? f : loop;
        }
        assertEquals("shop", loop.get("namespace").asText());
        assertEquals("slack-through-egress", loop.get("name").asText());
        assertEquals("-", loop.get("file").asText());
        List<String> lines = rendered.lines().toList();
        int line = loop.get("line").asInt();
        assertEquals("apiVersion: networking.istio.io/v1", lines.get(line - 1), rendered);
        assertEquals("kind: VirtualService", lines.get(line));

        Run text = check(rendered, "-n", "shop");
        assertTrue(text.out().contains("error EG202 VirtualService shop/slack-through-egress spec.http[0]: "), text.out());
    }

    @Test
    void whatRenderersPrintIsRead() throws Exception {
        String stream = """
                ---
                # Source: chart/templates/empty.yaml
                ---
                ---
                # Source: chart/templates/list.yaml
                apiVersion: v1
                kind: List
                items:
                - apiVersion: networking.istio.io/v1
                  kind: ServiceEntry
                  metadata: {name: github, namespace: shop}
                  spec: {hosts: [api.github.com], resolution: DNS}
                -
                - apiVersion: v1
                  kind: ServiceList
                  items: []
                ...
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                ---
                """;
        Run r = check(stream, "-o", "json");
        assertEquals(0, r.status(), r.err() + r.out());
        JsonNode summary = JSON.readTree(r.out()).get("summary");
        assertEquals(1, summary.get("objects").asInt(), r.out());
        assertEquals(1, summary.get("ignored").asInt(), r.out());
    }

    @Test
    void kustomizeBuildOutputIsChecked() throws Exception {
        Result base = kustomize(KUSTOMIZE.resolve("base"));
        assertTrue(base.out().contains("namespace: shop"), base.out());
        Run ok = check(base.out());
        assertEquals(0, ok.status(), ok.err() + ok.out());
        assertTrue(ok.out().endsWith("4 objects checked: 0 errors, 0 warnings, 1 infos\n"), ok.out());

        Run loop = check(kustomize(KUSTOMIZE.resolve("overlays/loop")).out());
        assertEquals(1, loop.status(), loop.err() + loop.out());
        assertTrue(loop.out().contains("error EG202 VirtualService shop/github-through-egress spec.tls[0].match[0]: "), loop.out());
    }

    static Result kustomize(Path dir) throws Exception {
        Prerequisites.requireKubectl();
        Result r = Processes.run(Map.of(), null, "kubectl", "kustomize", dir.toString());
        assertEquals(0, r.status(), r.all());
        return r;
    }
}
