package io.egressguard.webhook;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code GET /explain} on the management port traces requests through the webhook's state (standalone files). */
@QuarkusTest
@TestProfile(StandaloneProfile.class)
@QuarkusTestResource(value = TlsCertificates.class, restrictToAnnotatedClass = true)
class ExplainRouteTest {

    static Response explain(String query) {
        return given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).get("/explain" + query);
    }

    @Test
    void workingPathThroughTheEgressGateway() {
        explain("?from=shop&to=api.github.com:443").then().statusCode(200).contentType("application/json")
                .body("from.namespace", equalTo("shop"))
                .body("to.host", equalTo("api.github.com")).body("to.port", equalTo(443)).body("to.protocol", equalTo("tls"))
                .body("path", equalTo("egress-gateway")).body("reached", equalTo(true)).body("broken", equalTo(false))
                .body("hops[0].kind", equalTo("sidecar-route"))
                .body("hops[0].objects", hasItem("VirtualService shop/github-through-egress"))
                .body("hops[1].objects", hasItem("DestinationRule shop/egress-subsets"))
                .body("hops[2].objects", hasItem("Gateway shop/egress"))
                .body("hops[4].objects", hasItem("ServiceEntry shop/github"));
    }

    @Test
    void podLabelsAndProtocolFromTheQuery() {
        given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).urlEncodingEnabled(true)
                .queryParam("from", "shop/app=web").queryParam("to", "api.github.com").queryParam("protocol", "tls")
                .get("/explain").then().statusCode(200)
                .body("from.podLabels.app", equalTo("web")).body("to.port", equalTo(443)).body("reached", equalTo(true));
    }

    /** The legacy namespace's ServiceEntry has resolution NONE: the gateway loops (EG101). */
    @Test
    void brokenHopNamesItsCodeAndFix() {
        explain("?from=legacy&to=partner.example.com:443&protocol=tls").then().statusCode(200)
                .body("broken", equalTo(true)).body("reached", equalTo(false))
                .body("hops.find { it.verdict == 'broken' }.kind", equalTo("service-entry"))
                .body("hops.find { it.verdict == 'broken' }.code", equalTo("EG101"))
                .body("hops.find { it.verdict == 'broken' }.fix", containsString("resolution: DNS"));
    }

    /** The shop VirtualService is exported to shop and istio-system only: legacy's sidecars never see it. */
    @Test
    void exportToDecidesWhichNamespacesUseTheRoute() {
        explain("?from=legacy&to=api.github.com:443").then().statusCode(200)
                .body("path", equalTo("direct")).body("hops[0].verdict", equalTo("broken")).body("hops[0].code", equalTo("EG211"))
                .body("hops[0].details[0]", containsString("is not exported to legacy"));
    }

    @Test
    void badOrMissingParametersAre400WithAReason() {
        explain("?to=api.github.com").then().statusCode(400).contentType("application/json")
                .body("message", equalTo("from is required: NAMESPACE or NAMESPACE/key=value,..."));
        explain("?from=shop").then().statusCode(400).body("message", containsString("to is required"));
        explain("?from=shop&to=api.github.com:99999").then().statusCode(400).body("message", containsString("out of range"));
        explain("?from=shop&to=api.github.com&protocol=udp").then().statusCode(400)
                .body("message", equalTo("protocol takes http or tls, not 'udp'"));
        explain("?from=Not_A_Namespace&to=api.github.com").then().statusCode(400).body("message", containsString("not a namespace"));
    }

    @Test
    void notServedOnTheAdmissionPort() {
        RestAssured.baseURI = "https://localhost";
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
        assertEquals(404, given().port(port).get("/explain?from=shop&to=api.github.com:443").statusCode());
    }
}
