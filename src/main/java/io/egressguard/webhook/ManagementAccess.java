package io.egressguard.webhook;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guards the management endpoints that reveal the egress topology ({@code /q/audit}: which namespaces bypass
 * the egress gateway and to which hosts; {@code /explain}) the way Kubernetes components guard theirs
 * (kube-rbac-proxy, controller-runtime's secure metrics): the caller's bearer token is checked with a
 * TokenReview, then a SubjectAccessReview asks whether that user may {@code get} the path (a non-resource URL,
 * granted by a ClusterRole with {@code nonResourceURLs}). Answers are remembered for a minute. Health and
 * metrics stay open. {@code egress-guard.management.topology}: {@code token} (default), {@code open} or
 * {@code off} (404). Without an API server (standalone state) {@code token} cannot check and acts as {@code off}.
 */
@ApplicationScoped
public class ManagementAccess {

    private static final Logger LOG = Logger.getLogger("io.egressguard.management");
    static final List<String> GUARDED = List.of("/q/audit", "/explain");
    static final long REMEMBER_MILLIS = 60_000;
    static final int REMEMBER_AT_MOST = 1000;

    public enum Mode { TOKEN, OPEN, OFF }

    /** The answer for one token and path. */
    record Verdict(int status, String message, long until) {
        boolean allowed() {
            return status == 0;
        }
    }

    @Inject
    WebhookConfig config;

    @Inject
    Instance<KubernetesClient> client;

    private final Map<String, Verdict> remembered = new ConcurrentHashMap<>();

    void register(@Observes ManagementInterface management) {
        for (String path : GUARDED) {
            management.router().route(path).order(-100).blockingHandler(ctx -> guard(ctx, path));
        }
    }

    private Mode mode() {
        Mode m = config.management().topology();
        return m == Mode.TOKEN && config.state().dir().isPresent() ? Mode.OFF : m;
    }

    void guard(RoutingContext ctx, String path) {
        Verdict v = verdict(ctx.request().getHeader("Authorization"), path);
        if (v.allowed()) {
            ctx.next();
            return;
        }
        var response = ctx.response().setStatusCode(v.status()).putHeader("Content-Type", "application/json");
        if (v.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        response.end(JsonNodeFactory.instance.objectNode().put("message", v.message()).toString());
    }

    Verdict verdict(String authorization, String path) {
        switch (mode()) {
            case OPEN:
                return new Verdict(0, null, 0);
            case OFF:
                return new Verdict(404, path + " is turned off (egress-guard.management.topology)", 0);
            default:
                break;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            return new Verdict(401, "a bearer token is required (a ServiceAccount token allowed to get " + path + ")", 0);
        }
        String token = authorization.substring(7).trim();
        String key = digest(token) + " " + path;
        long now = System.currentTimeMillis();
        Verdict known = remembered.get(key);
        if (known != null && known.until() > now) {
            return known;
        }
        Verdict v = review(token, path, now + REMEMBER_MILLIS);
        if (v.status() != 503) {
            if (remembered.size() >= REMEMBER_AT_MOST) {
                remembered.clear();
            }
            remembered.put(key, v);
        }
        return v;
    }

    private Verdict review(String token, String path, long until) {
        try {
            KubernetesClient k = client.get();
            TokenReview review = k.resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build())
                    .create();
            if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
                return new Verdict(401, "the bearer token is not valid", until);
            }
            UserInfo user = review.getStatus().getUser();
            SubjectAccessReview access = k.resource(new SubjectAccessReviewBuilder().withNewSpec()
                    .withUser(user.getUsername()).withUid(user.getUid()).withGroups(user.getGroups())
                    .withExtra(user.getExtra())
                    .withNewNonResourceAttributes().withPath(path).withVerb("get").endNonResourceAttributes()
                    .endSpec().build()).create();
            if (access.getStatus() == null || !access.getStatus().getAllowed()) {
                return new Verdict(403, LogText.of(user.getUsername()) + " may not get " + path, until);
            }
            return new Verdict(0, null, until);
        } catch (RuntimeException e) {
            LOG.warnf("cannot check a token for %s with the API server: %s", path, LogText.of(e.toString()));
            return new Verdict(503, "cannot check the token with the Kubernetes API now", 0);
        }
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
