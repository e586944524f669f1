package io.herald.metadata.api;

import io.herald.metadata.image.QuotaEntity;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.apache.kafka.common.requests.ApiError;

/**
 * Client quota changes as Kafka's AlterClientQuotas asks for them. The controller decides each entity's changes as
 * Kafka 4.3's does (see {@code QuotaControl} for the rules and messages) and applies every accepted one in a single
 * metadata log entry. Reading quotas needs no call: they are in every
 * {@link io.herald.metadata.image.ClusterImage} ({@code clientQuotas()}).
 *
 * <p>The call returns once this node has applied the change, so this node's image shows it (and this broker enforces
 * it); it throws the Kafka {@link org.apache.kafka.common.errors.ApiException} of a failure to reach the controller
 * (NOT_CONTROLLER, REQUEST_TIMED_OUT), which concerns every entity of the request.
 *
 * <p>Thread-safety: any thread except the metadata apply thread (a listener), which the call would wait for.
 */
public interface QuotaAdmin {

    /**
     * Sets and removes quotas.
     *
     * @param validateOnly decide every change, apply none
     * @return one result per distinct entity, in the order they were first named: {@link ApiError#NONE} or Kafka's
     *     error (INVALID_REQUEST with Kafka's message)
     */
    Map<QuotaEntity, ApiError> alterClientQuotas(List<Alteration> alterations, boolean validateOnly);

    /** The changes of one entity, in request order. */
    record Alteration(QuotaEntity entity, List<Op> ops) {
        public Alteration {
            Objects.requireNonNull(entity, "entity");
            ops = List.copyOf(ops);
        }
    }

    /** Sets {@code key} to {@code value}, or removes it when the value is empty. */
    record Op(String key, OptionalDouble value) {
        public Op {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }
}
