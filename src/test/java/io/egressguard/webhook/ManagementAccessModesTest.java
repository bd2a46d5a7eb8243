package io.egressguard.webhook;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code open} lets everyone through, {@code off} answers 404, and without an API server tokens cannot be checked. */
class ManagementAccessModesTest {

    static ManagementAccess access(ManagementAccess.Mode mode, boolean standalone) throws Exception {
        ManagementAccess a = new ManagementAccess();
        WebhookConfig base = AdmissionModesTest.handler(WebhookConfig.Mode.ENFORCE, List.of()).config;
        WebhookConfig.Management management = () -> mode;
        WebhookConfig.State state = (WebhookConfig.State) java.lang.reflect.Proxy.newProxyInstance(
                WebhookConfig.class.getClassLoader(), new Class<?>[] {WebhookConfig.State.class},
                (p, m, args) -> m.getName().equals("dir") ? (standalone ? Optional.of(Path.of("x")) : Optional.empty()) : null);
        a.config = (WebhookConfig) java.lang.reflect.Proxy.newProxyInstance(WebhookConfig.class.getClassLoader(),
                new Class<?>[] {WebhookConfig.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "management" -> management;
                    case "state" -> state;
                    default -> m.invoke(base, args);
                });
        return a;
    }

    @Test
    void openAndOff() throws Exception {
        assertTrue(access(ManagementAccess.Mode.OPEN, false).verdict(null, "/q/audit").allowed());
        assertEquals(404, access(ManagementAccess.Mode.OFF, false).verdict("Bearer x", "/q/audit").status());
    }

    @Test
    void tokensNeedAnApiServer() throws Exception {
        assertEquals(404, access(ManagementAccess.Mode.TOKEN, true).verdict("Bearer x", "/explain").status());
        assertEquals(401, access(ManagementAccess.Mode.TOKEN, false).verdict(null, "/explain").status());
        assertEquals(401, access(ManagementAccess.Mode.TOKEN, false).verdict("Basic abc", "/explain").status());
    }
}
