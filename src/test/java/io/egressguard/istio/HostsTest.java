package io.egressguard.istio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostsTest {

    @ParameterizedTest(name = "{0} in {1} -> {2}")
    @CsvSource({
            "reviews, prod, reviews.prod.svc.cluster.local",
            "istio-egressgateway.istio-system, default, istio-egressgateway.istio-system",
            "edition.cnn.com, default, edition.cnn.com",
            "*.wikipedia.org, default, *.wikipedia.org",
            "'*', default, '*'",
    })
    void shortNamesExpandWithTheRuleNamespaceAndDottedNamesAreLiteral(String host, String ns, String expected) {
        assertEquals(expected, Hosts.fqdn(host, ns));
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
            "*.wikipedia.org, www.wikipedia.org, true",
            "*.wikipedia.org, a.b.wikipedia.org, true",
            "*.wikipedia.org, wikipedia.org, false",
            "*.wikipedia.org, *.en.wikipedia.org, true",
            "*.en.wikipedia.org, *.wikipedia.org, false",
            "'*', anything.example.com, true",
            "edition.cnn.com, edition.cnn.com, true",
            "edition.cnn.com, *.cnn.com, false",
    })
    void wildcardCoverage(String pattern, String host, boolean expected) {
        assertEquals(expected, Hosts.covers(pattern, host));
    }

    @Test
    void mostSpecificMatchPrefersExactThenLongestWildcard() {
        List<String> candidates = List.of("*", "*.svc.cluster.local", "*.istio-system.svc.cluster.local",
                "istio-egressgateway.istio-system.svc.cluster.local");
        assertEquals(Optional.of("istio-egressgateway.istio-system.svc.cluster.local"),
                Hosts.mostSpecificMatch("istio-egressgateway.istio-system.svc.cluster.local", candidates));
        assertEquals(Optional.of("*.istio-system.svc.cluster.local"),
                Hosts.mostSpecificMatch("istiod.istio-system.svc.cluster.local", candidates));
        assertEquals(Optional.of("*"), Hosts.mostSpecificMatch("edition.cnn.com", candidates));
        assertEquals(Optional.empty(), Hosts.mostSpecificMatch("edition.cnn.com", List.of("*.svc.cluster.local")));
    }

    @Test
    void serviceNamespaceOnlyForServiceNames() {
        assertEquals(Optional.of("istio-system"), Hosts.serviceNamespace("istio-egressgateway.istio-system.svc.cluster.local"));
        assertEquals(Optional.empty(), Hosts.serviceNamespace("edition.cnn.com"));
    }
}
