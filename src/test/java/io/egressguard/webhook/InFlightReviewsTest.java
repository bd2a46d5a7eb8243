package io.egressguard.webhook;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-flight budget: large reviews fill it, ordinary ones still fit, what does not fit is turned away. */
class InFlightReviewsTest {

    static InFlightReviews budget(int maxBody, int inFlight) throws Exception {
        InFlightReviews r = new InFlightReviews();
        WebhookConfig base = AdmissionModesTest.handler(WebhookConfig.Mode.ENFORCE, List.of()).config;
        r.config = (WebhookConfig) java.lang.reflect.Proxy.newProxyInstance(WebhookConfig.class.getClassLoader(),
                new Class<?>[] {WebhookConfig.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "maxBodyBytes" -> maxBody;
                    case "inFlightBytes" -> inFlight;
                    default -> m.invoke(base, args);
                });
        return r;
    }

    @Test
    void claimsFollowTheDeclaredLengthUpToTheLargestBody() throws Exception {
        InFlightReviews r = budget(4 << 20, 24 << 20);
        assertEquals(5, r.claim(5000L));
        assertEquals(4096, r.claim(null), "undeclared: the largest body");
        assertEquals(4096, r.claim(100L << 20), "over the limit: never more than the largest body");
        assertEquals(1, r.claim(0L));
    }

    @Test
    void largeReviewsFillTheBudgetAndTheNextIsTurnedAway() throws Exception {
        InFlightReviews r = budget(4 << 20, 24 << 20);
        int large = r.claim(4L << 20);
        for (int i = 0; i < 6; i++) {
            assertTrue(r.enter(large), "six 4 MiB reviews fit in 24 MiB");
        }
        assertFalse(r.enter(large));
        assertFalse(r.enter(r.claim(100_000L)), "no large review fits any more");
        for (int i = 0; i < 1000; i++) {
            assertTrue(r.enter(r.claim(3000L)), "ordinary reviews have a lane of their own");
        }
        r.leave(large);
        assertTrue(r.enter(r.claim(100_000L)), "room again once one has left");
    }
}
