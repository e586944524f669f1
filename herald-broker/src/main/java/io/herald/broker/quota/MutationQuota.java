package io.herald.broker.quota;

/**
 * One CreateTopics, CreatePartitions or DeleteTopics request's share of its client's
 * {@code controller_mutation_rate} (KIP-599). The handler asks {@link #tryTake} before each topic, with the
 * partitions the topic creates, adds or deletes.
 *
 * <p>Strict (the versions whose clients understand THROTTLING_QUOTA_EXCEEDED: CreateTopics v6+, CreatePartitions
 * v3+, DeleteTopics v5+): a client already over its quota gets the error for the topic, and the response's throttle
 * time says when to retry; the topic that takes the bucket below zero still passes. Permissive (older versions):
 * every topic passes, and the client is throttled afterwards.
 *
 * <p>Not thread-safe: one per request, used by its handler.
 */
public interface MutationQuota {

    /** No quota: everything passes, nothing is throttled. */
    MutationQuota UNBOUNDED = new MutationQuota() {
        @Override
        public boolean tryTake(int permits) {
            return true;
        }

        @Override
        public int throttleTimeMs() {
            return 0;
        }
    };

    /**
     * Takes {@code permits} (partitions), unless the quota is strict and already exceeded.
     *
     * @return false when the topic must be answered THROTTLING_QUOTA_EXCEEDED
     */
    boolean tryTake(int permits);

    /** How long the client must wait before the quota allows a mutation again; 0 while within it. */
    int throttleTimeMs();
}
