package io.egressguard.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.Node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event reader gives what snakeyaml-engine's composer and {@code StandardConstructor} give (the reading it
 * stands in for, here the reference), for every document it accepts, and accepts the manifests people write.
 */
class PlainYamlTest {

    /** A document as read: number, first line, value. */
    record Document(int number, int line, Object value) {
    }

    static LoadSettings settings() {
        return LoadSettings.builder().setLabel("test").setCodePointLimit(Integer.MAX_VALUE).build();
    }

    /** The composer's and the constructor's reading of every document (null documents left out, as the reader does). */
    static List<Document> composed(String text) {
        LoadSettings settings = settings();
        List<Document> documents = new ArrayList<>();
        int number = 1;
        for (Node node : new Compose(settings).composeAllFromString(text)) {
            Object value = new StandardConstructor(settings).constructSingleDocument(Optional.of(node));
            if (value != null) {
                documents.add(new Document(number, node.getStartMark().map(m -> m.getLine() + 1).orElse(0), value));
            }
            number++;
        }
        return documents;
    }

    static List<Document> plain(String text) throws PlainYaml.NotPlain {
        List<Document> documents = new ArrayList<>();
        try {
            PlainYaml.read(settings(), text, (number, line, value) -> documents.add(new Document(number, line, value)));
        } catch (InputException e) {
            throw new AssertionError("the collecting callback throws nothing", e);
        }
        return documents;
    }

    /** Every manifest, example and fixture of the project, the chart's values and the rendered manifests included. */
    static List<Path> projectYaml() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String root : List.of("src/test/resources", "examples", "deploy")) {
            try (Stream<Path> s = Files.walk(Path.of(root))) {
                s.filter(Files::isRegularFile).filter(ManifestReader::isManifest).sorted().forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void readsEveryManifestOfTheProjectAsTheComposerDoes() throws IOException {
        List<Path> files = projectYaml();
        assertTrue(files.size() > 300, "the project's manifests: " + files.size());
        int plain = 0;
        List<String> composerOnly = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            List<Document> reference;
            try {
                reference = composed(text);
            } catch (RuntimeException notYaml) { // a Helm template: the reader must not accept it either
                assertThrows(PlainYaml.NotPlain.class, () -> plain(text), f.toString());
                continue;
            }
            try {
                assertEquals(reference, plain(text), f.toString());
                plain++;
            } catch (PlainYaml.NotPlain e) {
                composerOnly.add(f.toString());
            }
        }
        // the fast path is the one taken: only Helm templates (whose {{ }} YAML reads as flow mappings used as
        // keys) are left to the composer
        assertTrue(composerOnly.stream().allMatch(f -> f.contains("/templates/")), "read through the composer: " + composerOnly);
        assertTrue(plain > 300, "read as plain YAML: " + plain);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // scalars: the JSON schema's resolution, quoted or not, block scalars
        "a: 1\nb: -7\nc: 0\nd: 12345678901\ne: 123456789012345678901234567890\nf: 1.5\ng: -2e3\nh: .inf\ni: -.inf\nj: .nan\n",
        "a: true\nb: false\nc: null\nd:\ne: ~\nf: True\ng: yes\nh: 0x1F\ni: 0o17\nj: 012\nk: +1\nl: 1_000\n",
        "a: '1'\nb: \"true\"\nc: 'null'\nd: \"\"\ne: ''\nf: ! 1\ng: ! true\nh: ! \"1\"\n",
        "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\nc: |+\n  kept\n\nd: plain \\ text # comment\n",
        "port: 443\nname: tls-443\nhost: '*.example.com'\nvalue: ${NOT_A_VARIABLE_HERE\nurl: https://x:8080/p?q=1\n",
        // keys of every scalar kind, order kept
        "1: one\n-1: minus\n1.5: f\ntrue: t\nnull: n\n'1': string one\nz: last\n",
        // flow and block collections, nested, empty
        "a: {b: [1, two, {c: d}], e: {}}\nf: []\ng:\n- - x\n  - y\n- {}\n- []\n",
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"a\": 1.0, \"b\": [true, null, \"x\"]}]}",
        // documents: markers, empty ones, comments only, a bare scalar or sequence as a document
        "---\na: 1\n---\n---\n# nothing\n---\nb: 2\n...\n---\nplain scalar\n---\n- 1\n- 2\n",
        "%YAML 1.2\n---\na: 1\n",
        "",
        "# only a comment\n",
    })
    void givesWhatTheComposerGives(String text) throws PlainYaml.NotPlain {
        assertEquals(composed(text), plain(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a: &x 1\nb: *x\n",                       // anchors and aliases
        "a: &x {b: 1}\n",
        "&k a: 1\n",                               // an anchored key
        "a: !!str 1\n",                           // explicit tags, standard or not
        "a: !!binary aGVsbG8=\n",
        "a: !custom x\n",
        "a: !!map {b: 1}\n",
        "a: !!seq [1]\n",
        "!!map {a: 1}\n",
        "? [a, b]\n: c\n",                        // a collection as a key
        "? {a: b}\n: c\n",
        "a: 1\na: 2\n",                           // a duplicate key, also as another spelling of the same value
        "\"a\": 1\na: 2\n",
        "a: ${HOME}\n",                           // a variable, which StandardConstructor handles itself
        "a: [unclosed\n",                         // not YAML
        "a: b: c\n",
        "a: 1\n---\nb: [\n",                      // not YAML in a later document
        "a:\n\t- b\n",
    })
    void leavesAnythingMoreThanPlainDataToTheComposer(String text) {
        assertThrows(PlainYaml.NotPlain.class, () -> plain(text));
    }

    @Test
    void leavesNestingDeeperThanTheLimitToTheComposer() throws PlainYaml.NotPlain {
        int limit = ManifestReader.MAX_DEPTH;
        String atLimit = "[".repeat(limit + 1) + "]".repeat(limit + 1);
        assertEquals(composed(atLimit), plain(atLimit));
        String deeper = "[".repeat(limit + 2) + "]".repeat(limit + 2);
        assertThrows(PlainYaml.NotPlain.class, () -> plain(deeper));
    }

    @Test
    void theDocumentsBeforeWhatIsNotPlainAreReadAgainNotTwice() throws InputException {
        String serviceEntry = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: %s
                spec:
                  hosts: [%s.example.com]
                  resolution: DNS
                  ports: [{number: 443, name: tls, protocol: TLS}]
                """;
        String text = serviceEntry.formatted("first", "first") + "---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n"
                + "---\n" + serviceEntry.formatted("second", "second").replace("resolution: DNS", "resolution: &r DNS");
        var read = new ManifestReader("default").read("mixed.yaml", text).result();
        assertEquals(List.of("first", "second"), read.resources().stream().map(r -> r.ref().name()).toList());
        assertEquals(List.of(0L, 1L), read.resources().stream().map(r -> r.order()).toList());
        assertEquals(1, read.ignored());
        assertEquals(List.of(1, 3), read.resources().stream().map(r -> r.origin().document()).toList());
    }

    @Test
    void anInputErrorOfTheCallbackStopsTheReading() {
        InputException stop = new InputException("x.yaml", 1, "stop");
        List<Integer> seen = new ArrayList<>();
        InputException thrown = assertThrows(InputException.class, () -> PlainYaml.read(settings(), "a: 1\n---\nb: 2\n",
                (number, line, value) -> {
                    seen.add(number);
                    throw stop;
                }));
        assertEquals(stop, thrown);
        assertEquals(List.of(1), seen);
    }
}
