package io.herald.metadata.controller;

import io.herald.common.security.ScramAlgorithm;
import io.herald.metadata.controller.ControllerCommand.AlterScramCredentials;
import io.herald.metadata.controller.ControllerCommand.ScramDeletion;
import io.herald.metadata.controller.ControllerCommand.ScramUpsertion;
import io.herald.metadata.controller.ControllerReply.UserError;
import io.herald.metadata.image.ScramCredentialImage;
import io.herald.metadata.image.ScramCredentials;
import io.herald.metadata.record.MetadataRecord.RemoveUserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord.UserScramCredentialRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decisions about SCRAM credentials, following Kafka 4.3's controller (ScramControlManager) rule for rule and
 * word for word:
 *
 * <ol>
 *   <li>Deletions first, in request order, then upsertions. A user is named at most once per request: a second
 *       alteration of the same user, whatever its mechanism or kind, drops the first and answers
 *       DUPLICATE_RESOURCE; a user that already has an error keeps it and further alterations of it are ignored.
 *       (So a user's SCRAM-SHA-256 and SCRAM-SHA-512 credentials take two requests, as in Kafka.)</li>
 *   <li>Each alteration: an empty user name is UNACCEPTABLE_CREDENTIAL, then an unknown mechanism
 *       UNSUPPORTED_SASL_MECHANISM. A deletion of a credential the image does not hold is RESOURCE_NOT_FOUND. An
 *       upsertion needs {@value #MIN_ITERATIONS} to {@value #MAX_ITERATIONS} iterations (Kafka's minimum of both
 *       mechanisms and its controller's maximum), else UNACCEPTABLE_CREDENTIAL; one whose keys could not be derived
 *       (an empty salted password) is UNKNOWN_SERVER_ERROR without a message, as Kafka's failed HMAC is.</li>
 *   <li>Every accepted alteration becomes one record, and they all take effect in the one log entry: the
 *       credentials are never seen half altered. The others change nothing.</li>
 * </ol>
 *
 * Kafka also refuses every alteration with UNSUPPORTED_VERSION below metadata.version 3.5-IV2; Herald's only
 * metadata.version is 4.3-IV0, so that cannot happen. The reply lists one result per user: accepted deletions,
 * accepted upsertions, then errors, each in request order (Kafka's order is a hash map's; clients key the results
 * by user). Stateless; the decision is deterministic.
 */
final class ScramControl {
    /** Kafka's minimum iteration count of SCRAM-SHA-256 and of SCRAM-SHA-512 (its ScramMechanism). */
    static final int MIN_ITERATIONS = 4096;
    /** Kafka's controller's maximum iteration count (ScramControlManager.MAX_ITERATIONS). */
    static final int MAX_ITERATIONS = 16384;

    private static final String DUPLICATE = "A user credential cannot be altered twice in the same request";
    private static final byte[] NO_KEY = new byte[0];

    private ScramControl() {
    }

    /**
     * The upsertion as the metadata log carries it: StoredKey and ServerKey derived from the client's salted
     * password ({@link ScramAlgorithm}), which is then forgotten. Empty keys when they cannot be derived: an
     * unknown mechanism (refused by the decision before the keys matter) or an empty salted password.
     */
    static ScramUpsertion upsertion(String user, byte mechanism, int iterations, byte[] salt, byte[] saltedPassword) {
        ScramMechanism known = ScramMechanism.fromType(mechanism);
        if (known == ScramMechanism.UNKNOWN || saltedPassword.length == 0) {
            return new ScramUpsertion(user, mechanism, iterations, salt, NO_KEY, NO_KEY);
        }
        ScramAlgorithm algorithm = ScramAlgorithm.forType(mechanism).orElseThrow();
        return new ScramUpsertion(user, mechanism, iterations, salt, algorithm.storedKey(saltedPassword),
                algorithm.serverKey(saltedPassword));
    }

    /** Decides every alteration; payload: one {@link UserError} per user named. */
    static byte[] alterScramCredentials(RecordBuffer buffer, AlterScramCredentials c) {
        ScramCredentials current = buffer.image().scramCredentials();
        Map<String, ScramDeletion> deletions = new LinkedHashMap<>();
        Map<String, ScramUpsertion> upsertions = new LinkedHashMap<>();
        Map<String, UserError> errors = new LinkedHashMap<>();
        for (ScramDeletion d : c.deletions()) {
            if (errors.containsKey(d.user())) {
                continue;
            }
            Optional<UserError> refusal = deletions.remove(d.user()) != null
                    ? Optional.of(result(d.user(), Errors.DUPLICATE_RESOURCE, DUPLICATE))
                    : checkDeletion(d, current);
            refusal.ifPresentOrElse(e -> errors.put(d.user(), e), () -> deletions.put(d.user(), d));
        }
        for (ScramUpsertion u : c.upsertions()) {
            if (errors.containsKey(u.user())) {
                continue;
            }
            Optional<UserError> refusal = deletions.remove(u.user()) != null || upsertions.remove(u.user()) != null
                    ? Optional.of(result(u.user(), Errors.DUPLICATE_RESOURCE, DUPLICATE))
                    : checkUpsertion(u);
            refusal.ifPresentOrElse(e -> errors.put(u.user(), e), () -> upsertions.put(u.user(), u));
        }
        List<UserError> results = new ArrayList<>();
        for (ScramDeletion d : deletions.values()) {
            buffer.add(new RemoveUserScramCredentialRecord(d.user(), ScramMechanism.fromType(d.mechanism())));
            results.add(result(d.user(), Errors.NONE, ""));
        }
        for (ScramUpsertion u : upsertions.values()) {
            if (!u.hasKeys()) {
                errors.put(u.user(), result(u.user(), Errors.UNKNOWN_SERVER_ERROR, ""));
                continue;
            }
            buffer.add(new UserScramCredentialRecord(new ScramCredentialImage(u.user(),
                    ScramMechanism.fromType(u.mechanism()), u.salt(), u.storedKey(), u.serverKey(), u.iterations())));
            results.add(result(u.user(), Errors.NONE, ""));
        }
        results.addAll(errors.values());
        return ControllerReply.encodeUserErrors(results);
    }

    private static Optional<UserError> checkDeletion(ScramDeletion d, ScramCredentials current) {
        Optional<UserError> refusal = checkUserAndMechanism(d.user(), d.mechanism());
        if (refusal.isEmpty() && current.credential(d.user(), ScramMechanism.fromType(d.mechanism())).isEmpty()) {
            return Optional.of(result(d.user(), Errors.RESOURCE_NOT_FOUND,
                    "Attempt to delete a user credential that does not exist"));
        }
        return refusal;
    }

    private static Optional<UserError> checkUpsertion(ScramUpsertion u) {
        Optional<UserError> refusal = checkUserAndMechanism(u.user(), u.mechanism());
        if (refusal.isPresent()) {
            return refusal;
        }
        if (u.iterations() < MIN_ITERATIONS) {
            return Optional.of(result(u.user(), Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations"));
        }
        if (u.iterations() > MAX_ITERATIONS) {
            return Optional.of(result(u.user(), Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations"));
        }
        return Optional.empty();
    }

    private static Optional<UserError> checkUserAndMechanism(String user, byte mechanism) {
        if (user.isEmpty()) {
            return Optional.of(result(user, Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty"));
        }
        if (ScramMechanism.fromType(mechanism) == ScramMechanism.UNKNOWN) {
            return Optional.of(result(user, Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism"));
        }
        return Optional.empty();
    }

    private static UserError result(String user, Errors error, String message) {
        return new UserError(user, error.code(), message);
    }
}
