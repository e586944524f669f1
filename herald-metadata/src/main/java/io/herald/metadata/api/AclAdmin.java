package io.herald.metadata.api;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.requests.ApiError;

/**
 * ACL changes as Kafka's CreateAcls and DeleteAcls ask for them. The controller decides each binding or filter as
 * Kafka 4.3's does (see {@code AclControl} for the rules and messages) and applies every accepted change of a call in
 * a single metadata log entry. Reading ACLs needs no call: they are in every
 * {@link io.herald.metadata.image.ClusterImage} ({@code acls()}, and {@code aclIndex()} for authorization).
 *
 * <p>A call returns once this node has applied the change, so this node's image shows it; it throws the Kafka
 * {@link org.apache.kafka.common.errors.ApiException} of a failure that concerns the whole call: the controller could
 * not be reached (NOT_CONTROLLER, REQUEST_TIMED_OUT), or the call would write more records than Kafka allows one
 * operation (POLICY_VIOLATION for a creation, INVALID_REQUEST for a deletion).
 *
 * <p>Thread-safety: any thread except the metadata apply thread (a listener), which the call would wait for.
 */
public interface AclAdmin {

    /**
     * Creates bindings; one that exists already succeeds without a change.
     *
     * @return one result per binding, in request order: {@link ApiError#NONE} or Kafka's error (INVALID_REQUEST)
     */
    List<ApiError> createAcls(List<AclBinding> bindings);

    /**
     * Deletes every binding a filter matches.
     *
     * @return one result per filter, in request order
     */
    List<FilterResult> deleteAcls(List<AclBindingFilter> filters);

    /**
     * What one DeleteAcls filter did.
     *
     * @param error   {@link ApiError#NONE}, or Kafka's refusal of the filter (INVALID_REQUEST for an unknown one)
     * @param deleted the bindings the filter matched, all deleted (also those another filter of the call matched)
     */
    record FilterResult(ApiError error, List<AclBinding> deleted) {
        public FilterResult {
            Objects.requireNonNull(error, "error");
            deleted = List.copyOf(deleted);
        }
    }
}
