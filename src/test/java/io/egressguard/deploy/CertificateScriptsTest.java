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
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** A stand-in kubectl: records each call (and what is piped to apply), answers from files in {@code dir}. */
    static Path fakeKubectl(Path dir, boolean webhookExists, String caBundle) throws Exception {
        Path log = dir.resolve("kubectl.log");
        Path kubectl = dir.resolve("kubectl");
        Files.writeString(dir.resolve("bundle"), caBundle);
        Files.writeString(kubectl, """
                #!/usr/bin/env bash
                echo "kubectl $*" >> "%1$s"
                if [[ $1 == apply ]]; then cat >> "%1$s"; fi
                if [[ " $* " == *" create "* ]]; then echo "kind: Secret"; fi
                if [[ $1 == get ]]; then
                  %2$s
                  if [[ " $* " == *caBundle* ]]; then cat "%3$s"
                  elif [[ " $* " == *"-o name"* ]]; then echo validatingwebhookconfiguration/x
                  else printf xx; fi
                fi
                """.formatted(log, webhookExists ? "" : "exit 1", dir.resolve("bundle")));
        kubectl.toFile().setExecutable(true);
        return kubectl;
    }

    static List<X509Certificate> published(String calls) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/webhooks/1/clientConfig/caBundle\",\"value\":\"([^\"]+)\"")
                .matcher(calls);
        assertTrue(m.find(), calls);
        return CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1)))).stream().map(X509Certificate.class::cast).toList();
    }

    static X509Certificate cert(Path f) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(f));
    }

    @Test
    void installPublishesTheCaBeforeItReplacesTheSecret(@TempDir Path dir) throws Exception {
        Path certs = dir.resolve("certs");
        run(Path.of("."), List.of("bash", "certs/generate.sh", certs.toString()));
        Path kubectl = fakeKubectl(dir, true, "");
        run(Path.of("."), List.of("bash", "certs/install.sh", certs.toString(), "guard-ns", "guard-tls", "guard-hook"),
                "KUBECTL", kubectl.toString());
        String calls = Files.readString(dir.resolve("kubectl.log"));
        assertTrue(calls.contains("kubectl -n guard-ns create secret tls guard-tls --cert=" + certs.resolve("tls.crt")
                + " --key=" + certs.resolve("tls.key") + " --dry-run=client -o yaml"), calls);
        assertTrue(calls.contains("kubectl apply -f -") && calls.contains("kind: Secret"), calls); // the Secret is applied
        String caBundle = Base64.getEncoder().encodeToString(Files.readAllBytes(certs.resolve("ca.crt")));
        assertTrue(calls.contains("kubectl patch validatingwebhookconfiguration guard-hook --type=json -p "
                + "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"" + caBundle + "\"},"
                + "{\"op\":\"add\",\"path\":\"/webhooks/1/clientConfig/caBundle\",\"value\":\"" + caBundle + "\"}]"), calls);
        assertTrue(calls.indexOf("kubectl patch") < calls.indexOf("create secret"), "the CA is trusted before it is served");
    }

    @Test
    void renewingKeepsTheCaAndANewCaIsPublishedBesideTheOldOne(@TempDir Path dir) throws Exception {
        Path certs = dir.resolve("certs");
        run(Path.of("."), List.of("bash", "certs/generate.sh", certs.toString()));
        X509Certificate ca = cert(certs.resolve("ca.crt"));
        X509Certificate first = cert(certs.resolve("tls.crt"));
        String renewed = run(Path.of("."), List.of("bash", "certs/generate.sh", certs.toString()));
        assertTrue(renewed.contains("kept the CA"), renewed);
        assertEquals(ca, cert(certs.resolve("ca.crt")));
        X509Certificate second = cert(certs.resolve("tls.crt"));
        assertTrue(!second.equals(first));
        second.verify(ca.getPublicKey());

        String oldBundle = Base64.getEncoder().encodeToString(Files.readAllBytes(certs.resolve("ca.crt")));
        String made = run(Path.of("."), List.of("bash", "certs/generate.sh", certs.toString()), "NEW_CA", "1");
        assertTrue(made.contains("made a new CA"), made);
        X509Certificate newCa = cert(certs.resolve("ca.crt"));
        Path kubectl = fakeKubectl(dir, true, oldBundle);
        run(Path.of("."), List.of("bash", "certs/install.sh", certs.toString()), "KUBECTL", kubectl.toString());
        assertEquals(List.of(newCa, ca), published(Files.readString(dir.resolve("kubectl.log"))), "new and old CA");

        Files.delete(dir.resolve("kubectl.log"));
        run(Path.of("."), List.of("bash", "certs/install.sh", certs.toString()), "KUBECTL", kubectl.toString(), "PRUNE", "1");
        assertEquals(List.of(newCa), published(Files.readString(dir.resolve("kubectl.log"))), "the old CA pruned");
    }

    @Test
    void withoutAWebhookConfigurationYetOnlyTheSecretIsCreated(@TempDir Path dir) throws Exception {
        Path certs = dir.resolve("certs");
        run(Path.of("."), List.of("bash", "certs/generate.sh", certs.toString()));
        Path kubectl = fakeKubectl(dir, false, "");
        String out = run(Path.of("."), List.of("bash", "certs/install.sh", certs.toString()), "KUBECTL", kubectl.toString());
        assertTrue(out.contains("no ValidatingWebhookConfiguration egress-guard yet"), out);
        String calls = Files.readString(dir.resolve("kubectl.log"));
        assertFalse(calls.contains("kubectl patch"), calls);
        assertTrue(calls.contains("create secret tls egress-guard-tls"), calls);
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
