package io.herald.coordinator.runtime;

/**
 * The producer whose transaction a coordinator's records belong to (a TxnOffsetCommit's offsets): they are
 * written as a transactional batch of this producer, and take effect only when the transaction's COMMIT marker
 * reaches the coordinator's partition, as in Kafka.
 */
public record TransactionalProducer(long producerId, short producerEpoch) {
    public TransactionalProducer {
        if (producerId < 0) {
            throw new IllegalArgumentException("producerId: " + producerId + " (expected: >= 0)");
        }
    }
}
