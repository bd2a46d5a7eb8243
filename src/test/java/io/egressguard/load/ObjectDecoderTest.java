package io.egressguard.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.model.Kind;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A value the model does not keep is an error naming the field, the same from a manifest (maps) and from an
 * admission request (a JSON tree): the file reader and the webhook accept and reject the same objects.
 */
class ObjectDecoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String VIRTUAL_SERVICE = """
            {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
             "metadata": {"name": "cnn", "namespace": "shop"},
             "spec": {"hosts": ["edition.cnn.com"], "gateways": ["mesh"],
                      "http": [{"route": [{"destination": {"host": "edition.cnn.com"}}]},
                               {"match": [{"port": 80}, {"uri": {%s: "/x"}}],
                                "route": [{"destination": {"host": "edition.cnn.com"}}]}]}}""";

    private static String fromTree(String json) throws Exception {
        JsonNode tree = JSON.readTree(json);
        return assertThrows(ObjectDecoder.DecodeException.class, () -> ObjectDecoder.decode(Kind.VIRTUAL_SERVICE, tree))
                .getMessage();
    }

    private static String fromMaps(String json) throws Exception {
        Map<?, ?> maps = JSON.readValue(json, Map.class);
        return assertThrows(ObjectDecoder.DecodeException.class, () -> ObjectDecoder.decode(Kind.VIRTUAL_SERVICE, maps))
                .getMessage();
    }

    @Test
    void aMisspeltOneOfKeyDeepInListsIsNamedWithItsPath() throws Exception {
        String json = VIRTUAL_SERVICE.formatted("\"exakt\"");
        assertEquals("spec.http[1].match[1].uri.exakt: unknown value '/x'", fromTree(json));
        assertEquals(fromTree(json), fromMaps(json));
    }

    @Test
    void anUnknownEnumValueIsNamedWithItsPath() throws Exception {
        String json = """
                {"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry", "metadata": {"name": "a"},
                 "spec": {"hosts": ["a.example.com"], "resolution": "DSN"}}""";
        JsonNode tree = JSON.readTree(json);
        assertEquals("spec.resolution: unknown value 'DSN'", assertThrows(ObjectDecoder.DecodeException.class,
                () -> ObjectDecoder.decode(Kind.SERVICE_ENTRY, tree)).getMessage());
        assertEquals("spec.resolution: unknown value 'DSN'", assertThrows(ObjectDecoder.DecodeException.class,
                () -> ObjectDecoder.decode(Kind.SERVICE_ENTRY, JSON.readValue(json, Map.class))).getMessage());
    }

    @Test
    void aWellWrittenObjectIsDecodedFromBothForms() throws Exception {
        String json = VIRTUAL_SERVICE.formatted("\"exact\"");
        assertEquals("cnn", ObjectDecoder.decode(Kind.VIRTUAL_SERVICE, JSON.readTree(json)).getMetadata().getName());
        assertEquals("cnn", ObjectDecoder.decode(Kind.VIRTUAL_SERVICE, JSON.readValue(json, Map.class))
                .getMetadata().getName());
    }

    @Test
    void nestedListsNameEveryIndex() {
        JsonNode written = JSON.valueToTree(Map.of("a", java.util.List.of(java.util.List.of(1, 2))));
        JsonNode understood = JSON.valueToTree(Map.of("a", java.util.List.of(java.util.List.of(1))));
        assertEquals("a[0][1]: unknown value '2'", ObjectDecoder.dropped(written, understood).describe());
        assertEquals("a[0][1]: unknown value '2'", ObjectDecoder.dropped((Object) Map.of("a",
                java.util.List.of(java.util.List.of(1, 2))), Map.of("a", java.util.List.of(java.util.List.of(1))))
                .describe());
    }
}
