package io.herald.metadata.image;

import io.herald.common.security.ScramCredential;
import java.util.Objects;
import org.apache.kafka.clients.admin.ScramMechanism;

/**
 * One user's SCRAM credential for one mechanism, as the metadata log holds it (Kafka's
 * UserScramCredentialRecord): what a SCRAM server needs to check a client's proof and to prove itself, and
 * nothing that would let a reader log in as the user. The keys are
 * {@link io.herald.common.security.ScramAlgorithm}'s StoredKey and ServerKey of the salted password the client
 * sent; the salt and iterations go to the client in the server-first message.
 *
 * <p>Immutable; its {@link #toString} hides the keys ({@link ScramCredential}).
 *
 * @param mechanism SCRAM-SHA-256 or SCRAM-SHA-512, never {@link ScramMechanism#UNKNOWN}
 * @param credential the salt, keys and iteration count; Kafka's controller accepts 4096 to 16384 iterations, and
 *     this keeps what it accepted
 */
public record ScramCredentialImage(String user, ScramMechanism mechanism, ScramCredential credential) {

    public ScramCredentialImage {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(credential, "credential");
        if (mechanism == ScramMechanism.UNKNOWN) {
            throw new IllegalArgumentException("SCRAM mechanism of user " + user + ": " + mechanism
                    + " (expected: SCRAM_SHA_256 or SCRAM_SHA_512)");
        }
    }

    public ScramCredentialImage(String user, ScramMechanism mechanism, byte[] salt, byte[] storedKey,
                                byte[] serverKey, int iterations) {
        this(user, mechanism, new ScramCredential(salt, storedKey, serverKey, iterations));
    }

    public byte[] salt() {
        return credential.salt();
    }

    public byte[] storedKey() {
        return credential.storedKey();
    }

    public byte[] serverKey() {
        return credential.serverKey();
    }

    public int iterations() {
        return credential.iterations();
    }
}
