package io.herald.protocol.security;

import io.herald.common.security.ScramAlgorithm;
import io.herald.common.security.ScramCredential;
import java.util.Optional;

/**
 * Where the SCRAM server finds a user's credential (the metadata image, in a broker). Implementations are
 * thread-safe and cheap: they are asked on an event loop.
 */
@FunctionalInterface
public interface ScramCredentialStore {

    /** The stored credential of {@code user} for {@code algorithm}, if there is one. */
    Optional<ScramCredential> credential(String user, ScramAlgorithm algorithm);
}
