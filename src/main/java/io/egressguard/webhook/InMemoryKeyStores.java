package io.egressguard.webhook;

import java.security.Security;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The serving key pair only ever lives in memory. Vert.x loads the PEM files into a PKCS12 key store under a fixed,
 * public password ({@code KeyStoreHelper.DUMMY_PASSWORD}), several times at start (the TLS registry's check, the
 * HTTPS server, {@link ServingKeyPair}) and again at every rotation, and the JDK protects each key entry of a PKCS12
 * store with 10,000 PBKDF2 iterations by default ({@code keystore.pkcs12.keyPbeIterationCount}). Under a public
 * password the iterations protect nothing, yet they cost the start about a second of CPU: the loops run
 * interpreted, then the JIT compiles them, on the same cores that read the cluster's state. One iteration is
 * enough for what the store is here, a container for the key in memory. No key store is written out, and a key
 * store file the process reads keeps its own parameters.
 */
public final class InMemoryKeyStores {

    /** The JDK's setting, a system property that overrides the {@code java.security} property of the same name. */
    static final String PBE_ITERATIONS = "keystore.pkcs12.keyPbeIterationCount";

    private InMemoryKeyStores() {
    }

    /** Before the server starts: one PBKDF2 iteration per key entry, unless the operator chose a count. */
    public static void useOneIteration() {
        useOneIteration(System.getProperties(), Security::getProperty);
    }

    /** Sets the count in {@code system} when neither it nor the security properties give one; true when set. */
    static boolean useOneIteration(Properties system, UnaryOperator<String> security) {
        if (system.getProperty(PBE_ITERATIONS) != null || security.apply(PBE_ITERATIONS) != null) {
            return false;
        }
        system.setProperty(PBE_ITERATIONS, "1");
        return true;
    }
}
