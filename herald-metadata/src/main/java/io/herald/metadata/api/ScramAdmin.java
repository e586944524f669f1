package io.herald.metadata.api;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.ApiError;

/**
 * SCRAM credential changes as Kafka's AlterUserScramCredentials asks for them. The controller decides each
 * user's alterations as Kafka 4.3's does (see {@code ScramControl} for the rules and messages) and applies every
 * accepted one in a single metadata log entry. Reading credentials needs no call: they are in every
 * {@link io.herald.metadata.image.ClusterImage} ({@code scramCredential}, {@code scramCredentials}).
 *
 * <p>The call returns once this node has applied the change, so this node's image shows it; it throws the Kafka
 * {@link org.apache.kafka.common.errors.ApiException} of a failure to reach the controller (NOT_CONTROLLER,
 * REQUEST_TIMED_OUT), which concerns every user of the request.
 *
 * <p>Thread-safety: any thread except the metadata apply thread (a listener), which the call would wait for.
 */
public interface ScramAdmin {

    /**
     * Deletes and upserts credentials.
     *
     * @return one result per user named, {@link ApiError#NONE} or Kafka's error: accepted deletions, accepted
     *     upsertions, then refusals, each in request order
     */
    Map<String, ApiError> alterScramCredentials(List<Deletion> deletions, List<Upsertion> upsertions);

    /**
     * Removes {@code user}'s credential of one mechanism.
     *
     * @param mechanism Kafka's SCRAM mechanism type as the client sent it (1 SCRAM-SHA-256, 2 SCRAM-SHA-512; any
     *     other value is refused with UNSUPPORTED_SASL_MECHANISM)
     */
    record Deletion(String user, byte mechanism) {}

    /**
     * Sets {@code user}'s credential of one mechanism from the salted password the client computed
     * ({@code Hi(password, salt, iterations)}). Only the StoredKey and ServerKey derived from it are kept.
     *
     * <p>The arrays are not copied: the caller hands them over and must not change them.
     *
     * @param mechanism as in {@link Deletion}
     */
    record Upsertion(String user, byte mechanism, int iterations, byte[] salt, byte[] saltedPassword) {
        @Override
        public String toString() {
            return "Upsertion[user=" + user + ", mechanism=" + mechanism + ", iterations=" + iterations
                    + ", salted password hidden]";
        }
    }
}
