package io.herald.common.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two SCRAM mechanisms Kafka defines (RFC 5802 with the hashes of RFC 7677 and its SHA-512 sibling) and the
 * functions both the credential store and the SASL exchange need: {@code HMAC}, {@code H}, {@code Hi} (PBKDF2 with
 * HMAC), and the derived {@code StoredKey} and {@code ServerKey}.
 *
 * <p>Stateless and thread-safe: every call makes its own {@link Mac} / {@link MessageDigest}.
 */
public enum ScramAlgorithm {
    SHA_256("SCRAM-SHA-256", "HmacSHA256", "SHA-256", (byte) 1),
    SHA_512("SCRAM-SHA-512", "HmacSHA512", "SHA-512", (byte) 2);

    /** Kafka's bounds on the iterations of a stored credential. */
    public static final int MIN_ITERATIONS = 4096;
    public static final int MAX_ITERATIONS = 16384;

    private static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.US_ASCII);

    private final String mechanismName;
    private final String macAlgorithm;
    private final String hashAlgorithm;
    private final byte type;

    ScramAlgorithm(String mechanismName, String macAlgorithm, String hashAlgorithm, byte type) {
        this.mechanismName = mechanismName;
        this.macAlgorithm = macAlgorithm;
        this.hashAlgorithm = hashAlgorithm;
        this.type = type;
    }

    /** The SASL mechanism name, e.g. {@code SCRAM-SHA-256}. */
    public String mechanismName() {
        return mechanismName;
    }

    /** The mechanism's type in Kafka's protocol (DescribeUserScramCredentials, AlterUserScramCredentials). */
    public byte type() {
        return type;
    }

    public static Optional<ScramAlgorithm> forMechanism(String name) {
        return Arrays.stream(values()).filter(a -> a.mechanismName.equals(name)).findFirst();
    }

    public static Optional<ScramAlgorithm> forType(byte type) {
        return Arrays.stream(values()).filter(a -> a.type == type).findFirst();
    }

    /** {@code HMAC(key, data)}. */
    public byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(macAlgorithm);
            mac.init(new SecretKeySpec(key, macAlgorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(macAlgorithm + " is not available", e);
        }
    }

    /** {@code H(data)}. */
    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(hashAlgorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hashAlgorithm + " is not available", e);
        }
    }

    /** {@code Hi(password, salt, i)}: the salted password (PBKDF2 with one block). */
    public byte[] saltedPassword(byte[] password, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations: " + iterations + " (expected: >= 1)");
        }
        byte[] block = Arrays.copyOf(salt, salt.length + 4);
        block[salt.length + 3] = 1;
        byte[] u = hmac(password, block);
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = hmac(password, u);
            xorInto(result, u);
        }
        return result;
    }

    /** {@code HMAC(SaltedPassword, "Client Key")}. */
    public byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, CLIENT_KEY);
    }

    /** {@code H(ClientKey)}: what the server stores to check a client's proof. */
    public byte[] storedKey(byte[] saltedPassword) {
        return hash(clientKey(saltedPassword));
    }

    /** {@code HMAC(SaltedPassword, "Server Key")}: what the server stores to prove itself to the client. */
    public byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, SERVER_KEY);
    }

    /**
     * Whether {@code proof} proves knowledge of the password whose {@code StoredKey} is {@code storedKey}:
     * {@code H(proof XOR HMAC(StoredKey, AuthMessage)) == StoredKey}, compared in constant time.
     */
    public boolean verifyClientProof(byte[] storedKey, byte[] authMessage, byte[] proof) {
        byte[] clientSignature = hmac(storedKey, authMessage);
        if (proof.length != clientSignature.length) {
            return false;
        }
        return MessageDigest.isEqual(hash(xor(proof, clientSignature)), storedKey);
    }

    /** {@code HMAC(ServerKey, AuthMessage)}: what the server proves itself with. */
    public byte[] serverSignature(byte[] serverKey, byte[] authMessage) {
        return hmac(serverKey, authMessage);
    }

    /** {@code a XOR b}, a new array; both must have the same length. */
    public static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
        }
        byte[] out = a.clone();
        xorInto(out, b);
        return out;
    }

    private static void xorInto(byte[] target, byte[] other) {
        for (int i = 0; i < target.length; i++) {
            target[i] ^= other[i];
        }
    }
}
