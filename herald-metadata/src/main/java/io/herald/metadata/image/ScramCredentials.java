package io.herald.metadata.image;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ScramMechanism;

/**
 * Every user's SCRAM credentials in the cluster, by user name and then mechanism: the fold of the metadata log's
 * user SCRAM credential records (a record replaces the user's credential of its mechanism, a removal record
 * drops it).
 *
 * <p>Invariants: only users with at least one credential are present; both levels are sorted (names in
 * {@link String} order, mechanisms in enum order: SCRAM-SHA-256 before SCRAM-SHA-512), so describing all users and
 * writing a snapshot are deterministic. Immutable: {@link #with} and {@link #without} return new values.
 *
 * @param byUser user name → mechanism → credential; unmodifiable
 */
public record ScramCredentials(SortedMap<String, SortedMap<ScramMechanism, ScramCredentialImage>> byUser) {
    /** No credentials: a cluster before its first AlterUserScramCredentials. */
    public static final ScramCredentials EMPTY = new ScramCredentials(new TreeMap<>());

    public ScramCredentials {
        TreeMap<String, SortedMap<ScramMechanism, ScramCredentialImage>> copy = new TreeMap<>();
        byUser.forEach((user, credentials) -> {
            if (!credentials.isEmpty()) {
                copy.put(user, Collections.unmodifiableSortedMap(new TreeMap<>(credentials)));
            }
        });
        byUser = Collections.unmodifiableSortedMap(copy);
    }

    /** The credential of {@code user} for {@code mechanism}, if the user has one. */
    public Optional<ScramCredentialImage> credential(String user, ScramMechanism mechanism) {
        SortedMap<ScramMechanism, ScramCredentialImage> credentials = byUser.get(user);
        return credentials == null ? Optional.empty() : Optional.ofNullable(credentials.get(mechanism));
    }

    /** The credentials of {@code user} in mechanism order; empty if the user has none. */
    public List<ScramCredentialImage> of(String user) {
        SortedMap<ScramMechanism, ScramCredentialImage> credentials = byUser.get(user);
        return credentials == null ? List.of() : List.copyOf(credentials.values());
    }

    /** Every credential, by user name and then mechanism. */
    public List<ScramCredentialImage> all() {
        return byUser.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    public boolean isEmpty() {
        return byUser.isEmpty();
    }

    /** These credentials with {@code credential} in place of its user's credential of its mechanism. */
    ScramCredentials with(ScramCredentialImage credential) {
        TreeMap<String, SortedMap<ScramMechanism, ScramCredentialImage>> copy = new TreeMap<>(byUser);
        TreeMap<ScramMechanism, ScramCredentialImage> credentials = new TreeMap<>(copy.getOrDefault(
                credential.user(), Collections.emptySortedMap()));
        credentials.put(credential.mechanism(), credential);
        copy.put(credential.user(), credentials);
        return new ScramCredentials(copy);
    }

    /** These credentials without {@code user}'s credential of {@code mechanism}; the same if it has none. */
    ScramCredentials without(String user, ScramMechanism mechanism) {
        if (credential(user, mechanism).isEmpty()) {
            return this;
        }
        TreeMap<String, SortedMap<ScramMechanism, ScramCredentialImage>> copy = new TreeMap<>(byUser);
        TreeMap<ScramMechanism, ScramCredentialImage> credentials = new TreeMap<>(copy.get(user));
        credentials.remove(mechanism);
        copy.put(user, credentials);
        return new ScramCredentials(copy);
    }
}
