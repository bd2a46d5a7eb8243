package io.egressguard.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** certs/generate.sh makes a CA-signed serving certificate; certs/install.sh hands it to the cluster. */
class CertificateScriptsTest {

    static String run(Path cwd, List<String> command, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void generatedCertificateIsSignedByTheCaForTheServiceNames(@TempDir Path dir) throws Exception {
        run(Path.of("."), List.of("bash", "certs/generate.sh", dir.toString(), "guard", "security"));
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate ca = (X509Certificate) cf.generateCertificate(Files.newInputStream(dir.resolve("ca.crt")));
        X509Certificate tls = (X509Certificate) cf.generateCertificate(Files.newInputStream(dir.resolve("tls.crt")));
        tls.verify(ca.getPublicKey());
        List<String> names = tls.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertTrue(names.containsAll(List.of("guard.security.svc", "guard.security.svc.cluster.local")), names.toString());
        assertTrue(Files.readString(dir.resolve("tls.key")).contains("PRIVATE KEY"));
    }

    @Test
    void installCreatesTheSecretAndPatchesTheCaBundle(@TempDir Path dir) throws Exception {
        Path certs = dir.resolve("certs");
        run(Path.of("."), List.of("bash", "certs/generate.sh", certs.toString()));
        Path log = dir.resolve("kubectl.log");
        Path kubectl = dir.resolve("kubectl");
        // A stand-in kubectl: records each call (and what is piped to apply), answers the webhook count.
        Files.writeString(kubectl, """
                #!/usr/bin/env bash
                echo "kubectl $*" >> "%s"
                if [[ $1 == apply ]]; then cat >> "%s"; fi
                if [[ " $* " == *" create "* ]]; then echo "kind: Secret"; fi
                if [[ $1 == get ]]; then printf x; fi
                """.formatted(log, log));
        kubectl.toFile().setExecutable(true);
        run(Path.of("."), List.of("bash", "certs/install.sh", certs.toString(), "guard-ns", "guard-tls", "guard-hook"),
                "KUBECTL", kubectl.toString());
        String calls = Files.readString(log);
        assertTrue(calls.contains("kubectl -n guard-ns create secret tls guard-tls --cert=" + certs.resolve("tls.crt")
                + " --key=" + certs.resolve("tls.key") + " --dry-run=client -o yaml"), calls);
        assertTrue(calls.contains("kubectl apply -f -") && calls.contains("kind: Secret"), calls); // the Secret is applied
        String caBundle = Base64.getEncoder().encodeToString(Files.readAllBytes(certs.resolve("ca.crt")));
        assertTrue(calls.contains("kubectl patch validatingwebhookconfiguration guard-hook --type=json -p "
                + "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"" + caBundle + "\"}]"), calls);
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(caBundle)));
    }

    @Test
    void helpPrintsTheUsageAndNoCode() throws Exception {
        for (String script : List.of("certs/generate.sh", "certs/install.sh")) {
            String help = run(Path.of("."), List.of("bash", script, "--help"));
            assertTrue(help.contains("  " + script + " "), help);
            assertTrue(help.lines().noneMatch(l -> l.startsWith("#") || l.contains("set -euo") || l.contains("$")), help);
        }
    }
}
