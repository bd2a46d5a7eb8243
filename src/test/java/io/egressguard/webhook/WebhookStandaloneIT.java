package io.egressguard.webhook;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The same recorded reviews against the packaged application ({@code ./mvnw verify -DskipITs=false}): what
 * ships is what was tested. With {@code -Dquarkus.package.jar.aot.enabled=true} on Java 25 this run is also
 * the training run of the AOT cache.
 */
@QuarkusIntegrationTest
@TestProfile(StandaloneProfile.class)
@QuarkusTestResource(value = TlsCertificates.class, restrictToAnnotatedClass = true)
class WebhookStandaloneIT extends WebhookStandaloneTest {
}
