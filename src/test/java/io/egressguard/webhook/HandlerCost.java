package io.egressguard.webhook;

import io.egressguard.bench.ThreadCpu;
import io.egressguard.mesh.MeshSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The whole of one review without HTTP: {@link AdmissionHandler#handle} on an AdmissionReview body (parsing it,
 * decoding the object, the change checked before and after, the answer written), in a loop, in CPU time of the
 * thread. Beside {@code ReviewCost} (the engine's part), it shows what a review costs on top of the HTTP stack
 * that the minimal webhook of {@code bench/compare.sh} measures. Four rounds; the last is the one to read.
 *
 * <pre>
 * java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.egressguard.webhook.HandlerCost \
 *     STATE_DIR REVIEW.json [REVIEWS]
 * </pre>
 */
public final class HandlerCost {

    private HandlerCost() {
    }

    public static void main(String[] args) throws Exception {
        AdmissionHandler handler = standalone(new FileClusterState(Path.of(args[0]), MeshSettings.DEFAULT));
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        int reviews = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        ThreadCpu.rounds(4, reviews, args[1], "HTTP status", () -> handler.handle(body).status());
    }

    /** The admission handler as the server runs it in enforce mode (default severities), outside the container. */
    static AdmissionHandler standalone(ClusterState state) {
        AdmissionHandler handler = new AdmissionHandler();
        handler.config = (WebhookConfig) Proxy.newProxyInstance(HandlerCost.class.getClassLoader(),
                new Class<?>[] {WebhookConfig.class}, (proxy, method, a) -> switch (method.getName()) {
                    case "mode" -> WebhookConfig.Mode.ENFORCE;
                    case "severities" -> Optional.empty();
                    case "maxBodyBytes" -> 4 * 1024 * 1024;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        handler.states = new ClusterStateProvider() {
            @Override
            public ClusterState state() {
                return state;
            }
        };
        handler.metrics = new SimpleMeterRegistry();
        handler.init();
        return handler;
    }
}
