package io.herald.coordinator.runtime;

import io.herald.common.txn.VerificationGuard;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The runtime's narrow view of its internal topic on this broker: append records as leader, learn when they
 * are committed (on every in-sync replica), read a partition back. The broker implements it on its replica
 * manager; tests use an in-memory log.
 *
 * <p>Thread-safety: implementations are thread-safe. The runtime calls {@link #append} and {@link #replay} on
 * its event loop; futures of {@link #awaitCommitted} may complete on any thread.
 *
 * @param <R> the record type; the implementation owns its serialization
 */
public interface CoordinatorLog<R> {

    /** Whether the partition has a replica here that can be read and appended to (it may still be loading). */
    boolean isAvailable(int partition);

    /**
     * Appends the records as one batch as the partition's leader.
     *
     * @return the log end offset after the batch: the records are committed once the high watermark reaches it
     * @throws org.apache.kafka.common.errors.ApiException the Kafka error of a failed append
     *     (NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, RECORD_LIST_TOO_LARGE, ...); nothing was appended
     */
    long append(int partition, List<R> records);

    /**
     * Appends the records as one transactional batch of {@code producer} (a TxnOffsetCommit's offsets), without
     * the sequence checks a client batch gets: the coordinator writes on the producer's behalf. If the batch starts
     * the producer's transaction on the partition, the log accepts it only with {@code verification} still valid
     * (KIP-890: no end marker of the producer came after the verification).
     *
     * @return the log end offset after the batch
     */
    long appendTransactional(int partition, TransactionalProducer producer, VerificationGuard verification,
                             List<R> records);

    /**
     * Appends the end-transaction marker (a control batch) of {@code producer}'s transaction.
     *
     * @return the log end offset after the marker
     */
    long appendEndTransactionMarker(int partition, TransactionalProducer producer, TransactionEnd end);

    /** The partition's high watermark: every offset below it is committed. */
    long committedOffset(int partition);

    /**
     * Completes once the high watermark reaches {@code offset}; fails with
     * {@link org.apache.kafka.common.errors.NotLeaderOrFollowerException} if leadership is lost first, and with
     * {@link org.apache.kafka.common.errors.TimeoutException} after {@code timeoutMs}.
     */
    CompletableFuture<Void> awaitCommitted(int partition, long offset, long timeoutMs);

    /**
     * Feeds every record of the partition to {@code shard}, from its log start to its log end (not only the
     * committed part: a new leader's high watermark may lag its log), oldest first: plain records to
     * {@link CoordinatorShard#replay}, records of transactional batches to
     * {@link CoordinatorShard#replayTransactional}, end-transaction markers to
     * {@link CoordinatorShard#replayEndTransactionMarker}.
     *
     * @return the log end offset read to
     */
    long replay(int partition, CoordinatorShard<R> shard);
}
