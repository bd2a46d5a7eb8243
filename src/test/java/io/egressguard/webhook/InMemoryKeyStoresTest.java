package io.egressguard.webhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-memory key stores of the serving key pair get one PBKDF2 iteration, unless the operator chose a count. */
class InMemoryKeyStoresTest {

    @TempDir
    Path tls;

    @Test
    void withoutAChoiceTheCountIsOne() {
        Properties system = new Properties();
        assertTrue(InMemoryKeyStores.useOneIteration(system, name -> null));
        assertEquals("1", system.getProperty(InMemoryKeyStores.PBE_ITERATIONS));
    }

    @Test
    void theOperatorsCountIsKept() {
        Properties system = new Properties();
        system.setProperty(InMemoryKeyStores.PBE_ITERATIONS, "20000");
        assertFalse(InMemoryKeyStores.useOneIteration(system, name -> null));
        assertEquals("20000", system.getProperty(InMemoryKeyStores.PBE_ITERATIONS));

        Properties none = new Properties();
        assertFalse(InMemoryKeyStores.useOneIteration(none,
                name -> name.equals(InMemoryKeyStores.PBE_ITERATIONS) ? "50000" : null), "set in java.security");
        assertNull(none.getProperty(InMemoryKeyStores.PBE_ITERATIONS));
    }

    /** The JDK accepts the count: a key pair still loads, and its key is still found to be the certificate's. */
    @Test
    void aKeyPairLoadsWithOneIteration() throws Exception {
        TlsRotationTest.generate(tls);
        String before = System.getProperty(InMemoryKeyStores.PBE_ITERATIONS);
        try {
            System.clearProperty(InMemoryKeyStores.PBE_ITERATIONS);
            InMemoryKeyStores.useOneIteration();
            assertEquals("1", System.getProperty(InMemoryKeyStores.PBE_ITERATIONS));
            ServingKeyPair pair = ServingKeyPair.check(ServingKeyPairTest.read(tls, "tls.crt"),
                    ServingKeyPairTest.read(tls, "tls.key"), Instant.now());
            assertTrue(pair.notAfter().isAfter(Instant.now()));
        } finally {
            if (before == null) {
                System.clearProperty(InMemoryKeyStores.PBE_ITERATIONS);
            } else {
                System.setProperty(InMemoryKeyStores.PBE_ITERATIONS, before);
            }
        }
    }
}
