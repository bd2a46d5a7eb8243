package io.egressguard.webhook;

import io.egressguard.load.ManifestReader;
import io.egressguard.model.Resource;
import io.fabric8.istio.api.networking.v1.ServiceEntry;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The webhook on the live state of the fabric8 mock API server (CRUD mode): objects created, changed and
 * deleted through the client reach the informers, and the decisions follow.
 */
@QuarkusTest
@TestProfile(ClusterProfile.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = TlsCertificates.class, restrictToAnnotatedClass = true)
class WebhookClusterTest {

    @Inject
    KubernetesClient client;

    @Inject
    ClusterStateProvider states;

    @BeforeEach
    void https() throws Exception {
        RestAssured.baseURI = "https://localhost";
        RestAssured.port = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
        // Every test starts from the recorded state, whatever the previous one changed.
        for (Resource r : new ManifestReader("default").read(Path.of("src/test/resources/webhook/state")).result().resources()) {
            HasMetadata o = r.object();
            client.resource(o).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        }
        await(() -> states.state().ready() && states.state().snapshot().size() == 16,
                () -> "state synced with 16 objects: " + states.state().describe());
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, () -> what);
    }

    static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what.get());
            }
            Thread.sleep(20);
        }
    }

    /** An UPDATE review that re-applies {@code o} unchanged. */
    static byte[] update(HasMetadata o) throws Exception {
        var mapper = io.egressguard.load.ObjectDecoder.mapper();
        var review = mapper.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        var request = review.putObject("request").put("uid", java.util.UUID.randomUUID().toString()).put("operation", "UPDATE")
                .put("name", o.getMetadata().getName()).put("namespace", o.getMetadata().getNamespace());
        String[] gv = o.getApiVersion().split("/");
        request.putObject("kind").put("group", gv.length == 2 ? gv[0] : "").put("version", gv[gv.length - 1])
                .put("kind", o.getKind());
        request.set("object", mapper.valueToTree(o));
        request.set("oldObject", mapper.valueToTree(o));
        return mapper.writeValueAsBytes(review);
    }

    static byte[] review(String name) throws Exception {
        return Files.readAllBytes(WebhookStandaloneTest.REVIEWS.resolve(name + ".json"));
    }

    @Test
    void decisionsFollowTheLiveState() throws Exception {
        WebhookStandaloneTest.post(review("create-virtualservice-loop")).then().statusCode(200)
                .body("response.allowed", equalTo(false)).body("response.status.message", containsString("EG202"));
        WebhookStandaloneTest.post(review("update-already-broken-virtualservice")).then().statusCode(200)
                .body("response.allowed", equalTo(true)).body("response.warnings[0]", containsString("EG101"));
        given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).get("/q/health/ready")
                .then().statusCode(200).body("checks[0].data.state", containsString("VirtualService=watching"));
    }

    @Inject
    io.egressguard.audit.AuditService audits;

    /** The periodic audit reports what is already broken in the cluster, and forgets it once fixed. */
    @Test
    void periodicAuditShowsExistingProblemsAndClearsFixedOnes() throws Exception {
        java.time.Instant since = java.time.Instant.now();
        await(() -> audits.latest().filter(a -> a.time().isAfter(since)).isPresent(), "an audit after the state reset");
        var audit = given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).get("/q/audit");
        audit.then().statusCode(200).body("summary.objects", equalTo(16))
                .body("findings.code", hasItem("EG101")).body("findings.code", hasItem("EG901"));
        String metrics = given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).get("/q/metrics").asString();
        assertTrue(metrics.contains("egress_guard_audit_findings{code=\"EG101\",namespace=\"legacy\",severity=\"error\"} 2.0"),
                metrics);
        // The errors as Warning Events on the objects, one per object and code whatever the number of audits.
        java.time.Instant later = java.time.Instant.now();
        await(() -> audits.latest().filter(a -> a.time().isAfter(later.plusMillis(600))).isPresent(), "two more audits");
        var events = client.v1().events().inNamespace("legacy").list().getItems().stream()
                .filter(e -> "EG101".equals(e.getReason())).toList();
        assertTrue(events.size() == 2 && events.stream().allMatch(e -> "Warning".equals(e.getType())
                && "egress-guard".equals(e.getSource().getComponent())), events::toString);
        assertTrue(events.stream().map(e -> e.getInvolvedObject().getKind() + " " + e.getInvolvedObject().getName())
                .collect(java.util.stream.Collectors.toSet()).size() == 2, events::toString);

        ServiceEntry partner = client.resources(ServiceEntry.class).inNamespace("legacy").withName("partner").get();
        partner.getSpec().setResolution(io.fabric8.istio.api.api.networking.v1alpha3.ServiceEntryResolution.DNS);
        client.resource(partner).update();
        java.time.Instant fixed = java.time.Instant.now();
        await(() -> audits.latest().filter(a -> a.time().isAfter(fixed.plusMillis(300))).isPresent(), "an audit after the fix");
        given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).get("/q/audit").then()
                .statusCode(200).body("findings.code", org.hamcrest.Matchers.not(hasItem("EG101")));
        String after = given().baseUri("http://localhost").port(WebhookOperationsTest.managementPort()).get("/q/metrics").asString();
        assertTrue(!after.contains("egress_guard_audit_findings{code=\"EG101\""), after);
    }

    /**
     * The informers decode and hold every object without its managedFields: the API server sends them with each
     * object, and no check reads them.
     */
    @Test
    void theInformersHoldObjectsWithoutTheirManagedFields() throws Exception {
        ServiceEntry partner = client.resources(ServiceEntry.class).inNamespace("legacy").withName("partner").get();
        partner.getMetadata().setManagedFields(io.egressguard.TestMesh.managedFieldsOfKubectlApply());
        partner.getMetadata().setLabels(java.util.Map.of("team", "legacy"));
        client.resource(partner).update();
        assertTrue(client.raw("/apis/networking.istio.io/v1/namespaces/legacy/serviceentries/partner").contains("\"managedFields\""),
                "the API server has the managedFields");
        var ref = new io.egressguard.model.ObjectRef(io.egressguard.model.Kind.SERVICE_ENTRY, "legacy", "partner");
        await(() -> states.state().snapshot().resource(ref).map(r -> r.object().getMetadata().getLabels() != null
                && "legacy".equals(r.object().getMetadata().getLabels().get("team"))).orElse(false), "updated ServiceEntry seen");
        var held = states.state().snapshot().resource(ref).orElseThrow().object().getMetadata().getManagedFields();
        assertTrue(held == null || held.isEmpty(), String.valueOf(held));
    }

    @Test
    void objectsChangedAfterStartAreSeen() throws Exception {
        // Fix the legacy ServiceEntry in the cluster: the VirtualService no longer carries EG101.
        ServiceEntry partner = client.resources(ServiceEntry.class).inNamespace("legacy").withName("partner").get();
        partner.getSpec().setResolution(io.fabric8.istio.api.api.networking.v1alpha3.ServiceEntryResolution.DNS);
        client.resource(partner).update();
        await(() -> states.state().snapshot().serviceEntry(new io.egressguard.model.ObjectRef(
                io.egressguard.model.Kind.SERVICE_ENTRY, "legacy", "partner")).map(se -> se.resolution().equals("DNS"))
                .orElse(false), "updated ServiceEntry seen");
        WebhookStandaloneTest.post(review("update-already-broken-virtualservice")).then().statusCode(200)
                .body("response.allowed", equalTo(true)).body("response.warnings", nullValue());

        // Delete the shop DestinationRule in the cluster: re-applying the VirtualService now warns EG206.
        client.resources(io.fabric8.istio.api.networking.v1.DestinationRule.class).inNamespace("shop")
                .withName("egress-subsets").delete();
        await(() -> states.state().snapshot().destinationRulesIn("shop").isEmpty(), "deleted DestinationRule seen");
        var vs = client.resources(io.fabric8.istio.api.networking.v1.VirtualService.class).inNamespace("shop")
                .withName("github-through-egress").get();
        WebhookStandaloneTest.post(update(vs)).then().statusCode(200)
                .body("response.allowed", equalTo(true))
                .body("response.warnings", hasItem(containsString("EG206 VirtualService shop/github-through-egress")));

        assertTrue(states.state().ready());
    }
}
