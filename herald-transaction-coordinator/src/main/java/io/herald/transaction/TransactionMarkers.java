package io.herald.transaction;

import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * The end markers of one transaction, to be written to every partition it touched (WriteTxnMarkers).
 *
 * @param producerEpoch    the epoch the markers carry: with transaction version 2 the epoch bumped by EndTxn
 *                         (KIP-890), after a fence the fencing epoch
 * @param coordinatorEpoch the leader epoch of the {@code __transaction_state} partition this coordinator loaded:
 *                         partition leaders refuse markers of an older coordinator epoch for the producer
 * @param partitions       where to write; may be empty (an abort with nothing added), then nothing is written
 * @param transactionVersion the transaction version the transaction ran at (WriteTxnMarkers v2 carries it): from
 *                         2 a partition leader refuses a marker whose epoch is not above the producer's, unless it
 *                         is a retry of the marker that ended the transaction
 */
public record TransactionMarkers(String transactionalId, long producerId, short producerEpoch, int coordinatorEpoch,
                                 TransactionResult result, Set<TopicPartition> partitions, short transactionVersion) {
    public TransactionMarkers {
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(result, "result");
        partitions = Set.copyOf(partitions);
    }
}
