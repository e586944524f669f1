package io.herald.broker.quota;

import io.herald.protocol.KafkaRequest;

/** Hands each topic-mutating request its {@link MutationQuota}. Thread-safe. */
@FunctionalInterface
public interface MutationQuotas {

    /** No quotas. */
    MutationQuotas NONE = (request, strict) -> MutationQuota.UNBOUNDED;

    /**
     * @param strict whether the request's version understands THROTTLING_QUOTA_EXCEEDED
     */
    MutationQuota forRequest(KafkaRequest request, boolean strict);
}
