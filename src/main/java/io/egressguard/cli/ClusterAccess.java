package io.egressguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egressguard.load.ModelTypes;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * How {@code audit} and {@code explain} reach a cluster: the kubeconfig (and context) the user named, checked
 * before use, and a quick call to the API server that fails within seconds, naming the server and the cause.
 */
final class ClusterAccess {

    /** How long connecting to the API server may take before the command gives up. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    /** What went wrong, in words for the user; the command exits 2 with it. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private ClusterAccess() {
    }

    /**
     * The client configuration for {@code kubeconfig} (or $KUBECONFIG, ~/.kube/config) and {@code context}
     * (or the current one).
     *
     * @throws Failure when the kubeconfig cannot be read or has no such context
     */
    static Config config(Path kubeconfig, String context) throws Failure {
        List<Path> files = kubeconfigFiles(kubeconfig);
        if (context != null) {
            Set<String> contexts = new LinkedHashSet<>();
            for (Path f : files) {
                contexts.addAll(contexts(f));
            }
            if (!contexts.contains(context)) {
                String where = files.isEmpty() ? "no kubeconfig found ($KUBECONFIG unset, ~/.kube/config missing)"
                        : "not in " + String.join(", ", files.stream().map(Path::toString).toList());
                throw new Failure("context '" + context + "' " + where + " (contexts: "
                        + (contexts.isEmpty() ? "none" : String.join(", ", contexts)) + ")");
            }
        }
        Config config;
        try {
            config = kubeconfig == null ? Config.autoConfigure(context) : fromFile(kubeconfig, context);
        } catch (IOException | RuntimeException e) {
            throw new Failure("cannot read the kubeconfig " + (kubeconfig == null ? "" : kubeconfig + " ") + ": "
                    + firstLine(e.getMessage()));
        }
        config.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        config.setRequestRetryBackoffLimit(0);
        return config;
    }

    /**
     * Asks the API server its version: a refused connection, an unknown host, a timeout or refused
     * credentials fail here, within seconds, rather than after the retries of the first list.
     */
    static void probe(KubernetesClient client, Config config) throws Failure {
        try {
            client.getKubernetesVersion();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 401 || e.getCode() == 403) {
                throw new Failure(unreachable(config, "the server refused the credentials (HTTP " + e.getCode() + ")"));
            }
            if (e.getCode() == 404) {
                return; // a server (or proxy) without /version: the lists will tell
            }
            throw new Failure(unreachable(config, cause(e)));
        } catch (RuntimeException e) {
            throw new Failure(unreachable(config, cause(e)));
        }
    }

    static KubernetesClient client(Config config) {
        return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(
                new KubernetesSerialization(ModelTypes.withoutManagedFields(new ObjectMapper()), true)).build();
    }

    static String unreachable(Config config, String cause) {
        String context = config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
        String server = config.getMasterUrl() == null ? "(none)" : config.getMasterUrl().replaceAll("/+$", "");
        return "cannot reach the Kubernetes API server " + server + (context == null ? "" : " (context " + context + ")")
                + ": " + cause;
    }

    /** The innermost cause, in a few words. */
    static String cause(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof SocketTimeoutException
                    || t instanceof TimeoutException || t instanceof NoRouteToHostException
                    || t instanceof javax.net.ssl.SSLException) {
                break;
            }
        }
        if (root instanceof ConnectException) {
            String m = root.getMessage();
            return m != null && m.toLowerCase().contains("timed out") ? "connection timed out" : "connection refused";
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        if (root instanceof SocketTimeoutException || root instanceof TimeoutException) {
            return "no answer within " + CONNECT_TIMEOUT_MILLIS / 1000 + " s";
        }
        if (root instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (root instanceof javax.net.ssl.SSLException) {
            return "TLS handshake failed: " + firstLine(root.getMessage());
        }
        return firstLine(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }

    /** The kubeconfig files that would be read: the one named, else $KUBECONFIG's, else ~/.kube/config. */
    static List<Path> kubeconfigFiles(Path kubeconfig) {
        if (kubeconfig != null) {
            return List.of(kubeconfig);
        }
        List<Path> files = new ArrayList<>();
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            for (String f : env.split(File.pathSeparator)) {
                if (!f.isBlank() && Files.isRegularFile(Path.of(f))) {
                    files.add(Path.of(f));
                }
            }
            return files;
        }
        Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
        return Files.isRegularFile(home) ? List.of(home) : List.of();
    }

    private static List<String> contexts(Path file) throws Failure {
        try {
            var parsed = KubeConfigUtils.parseConfigFromString(Files.readString(file));
            List<String> names = new ArrayList<>();
            for (NamedContext c : parsed.getContexts() == null ? List.<NamedContext>of() : parsed.getContexts()) {
                names.add(c.getName());
            }
            return names;
        } catch (IOException | RuntimeException e) {
            throw new Failure("cannot read the kubeconfig " + file + ": " + firstLine(e.getMessage()));
        }
    }

    /**
     * fabric8 lets system properties and environment variables ({@code kubernetes.master}, ...) override a
     * kubeconfig; a kubeconfig named on the command line is what the user asked for, so its cluster wins.
     */
    private static Config fromFile(Path kubeconfig, String context) throws IOException {
        String contents = Files.readString(kubeconfig);
        Config config = Config.fromKubeconfig(context, contents, kubeconfig.toString());
        io.fabric8.kubernetes.api.model.Config parsed = KubeConfigUtils.parseConfigFromString(contents);
        String name = context != null ? context : parsed.getCurrentContext();
        for (var ctx : parsed.getContexts() == null ? List.<NamedContext>of() : parsed.getContexts()) {
            if (ctx.getName().equals(name) && ctx.getContext() != null) {
                for (var cluster : parsed.getClusters()) {
                    if (cluster.getName().equals(ctx.getContext().getCluster()) && cluster.getCluster() != null) {
                        config.setMasterUrl(cluster.getCluster().getServer());
                    }
                }
            }
        }
        return config;
    }

    static String firstLine(String s) {
        return s == null ? "unknown error" : s.lines().findFirst().orElse(s);
    }
}
