package io.egressguard.rules;

import io.egressguard.TestMesh;
import io.egressguard.model.Finding;
import io.egressguard.model.Severity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EG001: misspellings of known fields warn, with the field meant; other unknown fields are only info. */
class UnknownFieldTest {

    static List<Finding> eg001(String yaml) {
        return TestMesh.check(TestMesh.yaml(yaml)).stream().filter(f -> f.code().equals("EG001")).toList();
    }

    @Test
    void snakeCaseAndNearMissesWarnWithTheKnownField() {
        List<Finding> f = eg001("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: vs, namespace: default}
                spec:
                  hosts: [api.example.org]
                  gateway: [mesh]
                  tls:
                  - match:
                    - port: 443
                      sni_hosts: [api.example.org]
                    route:
                    - destination: {host: api.example.org}
                """);
        assertEquals(2, f.size(), f.toString());
        Finding gateway = f.stream().filter(x -> x.path().equals("spec.gateway")).findFirst().orElseThrow();
        assertEquals(Severity.WARNING, gateway.severity());
        assertTrue(gateway.message().contains("did you mean gateways?"), gateway.message());
        Finding sni = f.stream().filter(x -> x.path().equals("spec.tls[0].match[0].sni_hosts")).findFirst().orElseThrow();
        assertTrue(sni.message().contains("the field is sniHosts"), sni.message());
    }

    @Test
    void aFieldNearNoKnownOneIsOnlyInfo() {
        List<Finding> f = eg001("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: se, namespace: default}
                spec:
                  hosts: [api.example.org]
                  ports:
                  - {number: 443, name: tls, protocol: TLS}
                  resolution: DNS
                  futureOption: {enabled: true}
                """);
        assertEquals(1, f.size(), f.toString());
        assertEquals(Severity.INFO, f.get(0).severity());
        assertEquals("spec.futureOption", f.get(0).path());
    }

    /** The same object name checked again with other content (an update) is read again, not remembered. */
    @Test
    void anObjectChangedUnderTheSameNameIsReadAgain() {
        String before = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: changing, namespace: default}
                spec:
                  hosts: [api.example.org]
                  gateway: [mesh]
                """;
        assertEquals(List.of("spec.gateway"), eg001(before).stream().map(Finding::path).toList());
        assertEquals(List.of(), eg001(before.replace("gateway: [mesh]", "gateways: [mesh]")));
        assertEquals(List.of("spec.gateway"), eg001(before).stream().map(Finding::path).toList());
    }

    @Test
    void distances() {
        assertTrue(UnknownField.nearMiss("gateway", "gateways"));
        assertTrue(UnknownField.nearMiss("resolutoin", "resolution"));
        assertTrue(!UnknownField.nearMiss("port", "host"));
        assertEquals(1, UnknownField.distance("exportto", "exportTo"));
    }
}
