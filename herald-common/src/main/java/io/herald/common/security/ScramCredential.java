package io.herald.common.security;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a SCRAM server stores for one user and mechanism (RFC 5802): never the password, only what checks a client's
 * proof ({@code storedKey}) and proves the server ({@code serverKey}), with the {@code salt} and {@code iterations}
 * the client needs to salt its password the same way.
 *
 * <p>Immutable: the arrays are copied in and out, equality compares their contents, and {@link #toString} hides
 * them (the keys are secrets).
 */
public record ScramCredential(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {

    public ScramCredential {
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential other && iterations == other.iterations
                && Arrays.equals(salt, other.salt) && Arrays.equals(storedKey, other.storedKey)
                && Arrays.equals(serverKey, other.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(iterations, Arrays.hashCode(salt), Arrays.hashCode(storedKey), Arrays.hashCode(serverKey));
    }

    @Override
    public String toString() {
        return "ScramCredential[iterations=" + iterations + ", salt, storedKey, serverKey hidden]";
    }
}
