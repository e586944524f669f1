package io.herald.transaction;

import io.herald.common.time.Time;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import io.herald.transaction.state.TransactionVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Adds partitions to a transaction and answers whether they are in it: AddPartitionsToTxn from a client
 * (v0-3), AddOffsetsToTxn (the group's {@code __consumer_offsets} partition), and AddPartitionsToTxn from a
 * partition leader (v4+): with {@code verifyOnly} it asks whether a produce may go ahead (KIP-890 part 1), without
 * it the leader adds the partition on the producer's behalf (transaction version 2, KIP-890 part 2).
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class PartitionAdder {
    /** The outcome: one error for every partition, and the metadata to write if the transaction changed. */
    record Outcome(Errors error, Optional<TransactionMetadata> written) {
    }

    private final TransactionStore store;
    private final Time time;

    PartitionAdder(TransactionStore store, Time time) {
        this.store = store;
        this.time = time;
    }

    Outcome add(String transactionalId, long producerId, short producerEpoch, Set<TopicPartition> partitions,
                TransactionVersion version) {
        Optional<TransactionMetadata> found = store.get(transactionalId);
        Errors error = check(found, producerId, producerEpoch);
        if (error != Errors.NONE) {
            return new Outcome(error, Optional.empty());
        }
        TransactionMetadata m = found.orElseThrow();
        if (m.state().isPrepare()) {
            return new Outcome(Errors.CONCURRENT_TRANSACTIONS, Optional.empty());
        }
        if (m.state() == TransactionState.ONGOING
                && m.partitions().containsAll(partitions)) {
            // Already in the transaction: answered without a write, as Kafka does.
            return new Outcome(Errors.NONE, Optional.empty());
        }
        return new Outcome(Errors.NONE, Optional.of(m.addPartitions(partitions, time.milliseconds(), version)));
    }

    /**
     * verifyOnly: NONE for each partition already in the transaction, TRANSACTION_ABORTABLE for the others (the
     * produce must not go ahead, and the producer can abort and carry on, KIP-890); one error for all if the
     * producer does not own the transaction or its outcome is being written.
     */
    Map<TopicPartition, Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                       Set<TopicPartition> partitions) {
        Optional<TransactionMetadata> found = store.get(transactionalId);
        Errors error = check(found, producerId, producerEpoch);
        if (error == Errors.NONE && found.orElseThrow().state().isPrepare()) {
            error = Errors.CONCURRENT_TRANSACTIONS;
        }
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            errors.put(tp, error != Errors.NONE ? error
                    : found.orElseThrow().partitions().contains(tp) ? Errors.NONE : Errors.TRANSACTION_ABORTABLE);
        }
        return errors;
    }

    private static Errors check(Optional<TransactionMetadata> found, long producerId, short producerEpoch) {
        if (found.isEmpty() || found.get().producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        return found.get().producerEpoch() != producerEpoch ? Errors.PRODUCER_FENCED : Errors.NONE;
    }
}
