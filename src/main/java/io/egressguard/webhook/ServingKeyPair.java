package io.egressguard.webhook;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.impl.KeyStoreHelper;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * A serving certificate and its private key, checked before they are used: both parse, the key is the
 * certificate's (a signature made with the key verifies with the certificate's public key), and the
 * certificate is valid now. A pair that fails would make every TLS handshake fail.
 */
public record ServingKeyPair(X509Certificate certificate, Instant notAfter) {

    /** Why a key pair cannot be served. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    public static ServingKeyPair check(byte[] certificatePem, byte[] keyPem, Instant now) throws Invalid {
        KeyStore store;
        try {
            store = KeyStoreHelper.loadKeyCert(List.of(Buffer.buffer(keyPem)), List.of(Buffer.buffer(certificatePem)));
        } catch (Exception e) {
            throw new Invalid("tls.crt or tls.key cannot be read as PEM: " + e.getMessage());
        }
        try {
            String alias = Collections.list(store.aliases()).stream().filter(a -> {
                try {
                    return store.isKeyEntry(a);
                } catch (Exception e) {
                    return false;
                }
            }).findFirst().orElseThrow(() -> new Invalid("tls.key holds no private key"));
            PrivateKey key = (PrivateKey) store.getKey(alias, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
            Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                throw new Invalid("tls.crt holds no X.509 certificate");
            }
            if (!matches(key, leaf)) {
                throw new Invalid("tls.key is not the private key of the certificate in tls.crt ("
                        + leaf.getSubjectX500Principal().getName() + ")");
            }
            if (now.isAfter(leaf.getNotAfter().toInstant())) {
                throw new Invalid("the certificate in tls.crt expired at " + leaf.getNotAfter().toInstant());
            }
            if (now.isBefore(leaf.getNotBefore().toInstant())) {
                throw new Invalid("the certificate in tls.crt is valid only from " + leaf.getNotBefore().toInstant());
            }
            return new ServingKeyPair(leaf, leaf.getNotAfter().toInstant());
        } catch (Invalid e) {
            throw e;
        } catch (Exception e) {
            throw new Invalid("tls.crt or tls.key cannot be used: " + e);
        }
    }

    private static boolean matches(PrivateKey key, X509Certificate certificate) throws Exception {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new Invalid("unsupported private key algorithm " + key.getAlgorithm());
        };
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        Signature sign = Signature.getInstance(algorithm);
        sign.initSign(key);
        sign.update(nonce);
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance(algorithm);
        try {
            verify.initVerify(certificate.getPublicKey());
            verify.update(nonce);
            return verify.verify(signature);
        } catch (java.security.InvalidKeyException e) {
            return false; // a key of another algorithm than the certificate's
        }
    }
}
