package io.herald.transaction.state;

import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * What the coordinator knows of one transactional id: its producer id and epoch and its current transaction. This
 * is the value of a {@code __transaction_state} record, and it is immutable: each method below is one of Kafka's
 * transitions and returns the metadata the transition leads to, which an operation writes as a record; only the
 * replay of that record makes it the shard's state.
 *
 * <p>Invariants, checked by every transition: the target state {@link TransactionState#canTransitionFrom} the
 * current one; the producer id is non-negative and the epoch is non-negative once a producer was initialized;
 * {@code prevProducerId} is the producer id before the transition (as Kafka records it), so after a rotation it is
 * the id the producer had, which is how KIP-360 recognises a retried InitProducerId and KIP-890 a retried EndTxn
 * across an epoch overflow.
 *
 * @param producerId          the current producer id
 * @param prevProducerId      the producer id before the last transition ({@code -1} never written by Herald)
 * @param nextProducerId      TV_2 only: the producer id the producer moves to when the prepared transaction
 *                            completes, because its epoch is exhausted; {@code -1} otherwise
 * @param producerEpoch       the current epoch; {@code -1} only for metadata never written
 * @param lastProducerEpoch   the epoch before the last bump, for KIP-360 retries; {@code -1} after a fence, so a
 *                            fenced producer cannot reclaim an epoch (Kafka does not store it; Herald does, so a
 *                            retry also works across a coordinator failover)
 * @param timeoutMs           {@code transaction.timeout.ms} of the producer
 * @param partitions          the partitions of the current transaction (empty when none is ongoing)
 * @param startTimestamp      when the current transaction started (its first partition), -1 when none
 * @param lastUpdateTimestamp when the metadata last changed: transactional id expiry counts from it
 * @param clientTransactionVersion the transaction version of the request that made the last transition
 */
public record TransactionMetadata(String transactionalId, long producerId, long prevProducerId, long nextProducerId,
                                  short producerEpoch, short lastProducerEpoch, int timeoutMs,
                                  TransactionState state, Set<TopicPartition> partitions, long startTimestamp,
                                  long lastUpdateTimestamp, TransactionVersion clientTransactionVersion) {

    /** No producer id: Kafka's {@code RecordBatch.NO_PRODUCER_ID}. */
    public static final long NO_PRODUCER_ID = -1L;
    /** No producer epoch: Kafka's {@code RecordBatch.NO_PRODUCER_EPOCH}. */
    public static final short NO_PRODUCER_EPOCH = -1;

    public TransactionMetadata {
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(clientTransactionVersion, "clientTransactionVersion");
        partitions = Set.copyOf(partitions);
    }

    /** Whether no more epochs can be handed out: Short.MAX_VALUE is kept so the coordinator can always fence. */
    public static boolean isEpochExhausted(short epoch) {
        return epoch >= Short.MAX_VALUE - 1;
    }

    public boolean isProducerEpochExhausted() {
        return isEpochExhausted(producerEpoch);
    }

    /**
     * The metadata of a transactional id seen for the first time, before its first InitProducerId: never written
     * as such (Kafka keeps it in its cache even when the write fails; Herald only ever stores written state).
     */
    public static TransactionMetadata unseen(String transactionalId, long producerId, int timeoutMs, long now) {
        return new TransactionMetadata(transactionalId, producerId, NO_PRODUCER_ID,
                NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_PRODUCER_EPOCH, timeoutMs,
                TransactionState.EMPTY, Set.of(), -1L, now, TransactionVersion.TV_0);
    }

    /**
     * InitProducerId with epochs left: a new epoch (KIP-360 cases below), no transaction, the producer's timeout.
     *
     * @param expectedEpoch the epoch the producer says it has (InitProducerId v3+), or empty for a new producer
     * @throws ProducerFencedException if the producer's epoch is neither the current nor, for a retry of a bump
     *     whose answer it lost, the last one
     */
    public TransactionMetadata bumpEpoch(int newTimeoutMs, Optional<Short> expectedEpoch, long now) {
        short epoch;
        short last;
        if (expectedEpoch.isEmpty()) {
            // A new producer: it fences every earlier one, which therefore must not reclaim the last epoch.
            epoch = nextEpoch();
            last = NO_PRODUCER_EPOCH;
        } else if (producerEpoch == NO_PRODUCER_EPOCH || expectedEpoch.get() == producerEpoch) {
            // KIP-360: the current producer recovers from an error and no other producer took over.
            epoch = nextEpoch();
            last = producerEpoch;
        } else if (expectedEpoch.get() == lastProducerEpoch) {
            // KIP-360: a retry of a bump whose answer was lost; the epoch it got is still the current one.
            epoch = producerEpoch;
            last = lastProducerEpoch;
        } else {
            throw new ProducerFencedException("Producer epoch " + expectedEpoch.get() + " of " + transactionalId
                    + " is neither the current epoch " + producerEpoch + " nor the last one " + lastProducerEpoch);
        }
        return transition(TransactionState.EMPTY, producerId, NO_PRODUCER_ID, epoch, last, newTimeoutMs,
                Set.of(), -1L, now, clientTransactionVersion);
    }

    private short nextEpoch() {
        if (isProducerEpochExhausted()) {
            throw new IllegalStateException("no epoch left for producer id " + producerId + " of " + transactionalId
                    + ": the caller should have rotated the producer id");
        }
        return (short) (producerEpoch + 1);
    }

    /**
     * InitProducerId when the epochs of the producer id are exhausted: a new producer id at epoch 0.
     *
     * @param recordLastEpoch whether the producer named its epoch (KIP-360): then a retry with the old id and
     *                        that epoch is recognised
     */
    public TransactionMetadata rotateProducerId(long newProducerId, int newTimeoutMs, long now,
                                                boolean recordLastEpoch) {
        if (state == TransactionState.ONGOING || state.isPrepare()) {
            throw new IllegalStateException("cannot rotate the producer id of " + transactionalId + " in " + state);
        }
        return transition(TransactionState.EMPTY, newProducerId, NO_PRODUCER_ID, (short) 0,
                recordLastEpoch ? producerEpoch : NO_PRODUCER_EPOCH, newTimeoutMs, Set.of(), -1L, now,
                clientTransactionVersion);
    }

    /** AddPartitionsToTxn / AddOffsetsToTxn: the transaction is ongoing with these partitions added. */
    public TransactionMetadata addPartitions(Collection<TopicPartition> added, long now, TransactionVersion version) {
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        long start = state.isExpirationAllowed() ? now : startTimestamp;
        return transition(TransactionState.ONGOING, producerId, nextProducerId, producerEpoch, lastProducerEpoch,
                timeoutMs, all, start, now, version);
    }

    /**
     * EndTxn: the outcome is decided (PrepareCommit or PrepareAbort). With TV_2 the epoch is bumped and the markers
     * will carry the bumped epoch (KIP-890); an exhausted epoch names the producer id to move to on completion.
     *
     * @param nextProducerId    TV_2: the id to rotate to on completion, or -1
     * @param noPartitionAdded  TV_2 abort of an Empty or Complete* transaction: it starts now
     */
    public TransactionMetadata prepare(TransactionState target, TransactionVersion version, long nextProducerId,
                                       long now, boolean noPartitionAdded) {
        if (!target.isPrepare()) {
            throw new IllegalArgumentException("prepare to " + target + " (expected: PrepareCommit or PrepareAbort)");
        }
        short epoch = producerEpoch;
        short last = lastProducerEpoch;
        if (version.supportsEpochBump()) {
            if (producerEpoch == Short.MAX_VALUE) {
                throw new IllegalStateException("epoch overflow of " + transactionalId);
            }
            epoch = (short) (producerEpoch + 1);
            last = producerEpoch;
        }
        return transition(target, producerId, nextProducerId, epoch, last, timeoutMs, partitions,
                noPartitionAdded ? now : startTimestamp, now, version);
    }

    /**
     * A new producer (InitProducerId) or the timeout aborts the ongoing transaction: Ongoing to PrepareEpochFence
     * to PrepareAbort, with the epoch bumped once, so the current producer is fenced and the markers carry an epoch
     * it cannot write with. One bump for every transaction version, as Kafka 4.3 does (a TV_2 fence at epoch
     * 32766 must not overflow), and the last epoch cleared so the fenced producer cannot reclaim it.
     */
    public TransactionMetadata fenceAndAbort(long now) {
        if (!TransactionState.PREPARE_EPOCH_FENCE.canTransitionFrom(state)) {
            throw new IllegalStateException(transactionalId + ": fencing from " + state + " (expected: Ongoing)");
        }
        if (producerEpoch == Short.MAX_VALUE) {
            throw new IllegalStateException("cannot fence " + transactionalId + " at epoch " + producerEpoch);
        }
        if (!TransactionState.PREPARE_ABORT.canTransitionFrom(TransactionState.PREPARE_EPOCH_FENCE)) {
            throw new IllegalStateException("the lifecycle no longer leads from a fence to an abort");
        }
        return new TransactionMetadata(transactionalId, producerId, producerId, NO_PRODUCER_ID,
                (short) (producerEpoch + 1), NO_PRODUCER_EPOCH, timeoutMs, TransactionState.PREPARE_ABORT,
                partitions, startTimestamp, now, clientTransactionVersion);
    }

    /**
     * Every marker is written: CompleteCommit or CompleteAbort, no partitions. With TV_2 and an exhausted epoch
     * the producer moves to its next producer id at epoch 0; the last epoch stays the one it last saw.
     */
    public TransactionMetadata complete(long now) {
        if (!state.isPrepare()) {
            throw new IllegalStateException(transactionalId + ": completing from " + state);
        }
        TransactionState target = state == TransactionState.PREPARE_COMMIT ? TransactionState.COMPLETE_COMMIT
                : TransactionState.COMPLETE_ABORT;
        boolean rotate = clientTransactionVersion.supportsEpochBump() && nextProducerId != NO_PRODUCER_ID;
        return transition(target, rotate ? nextProducerId : producerId, NO_PRODUCER_ID,
                rotate ? 0 : producerEpoch, lastProducerEpoch, timeoutMs, Set.of(), startTimestamp, now,
                clientTransactionVersion);
    }

    /** Expiry: the id may be forgotten (a tombstone is written); checks that no transaction is in flight. */
    public void checkCanExpire() {
        if (!TransactionState.DEAD.canTransitionFrom(state)) {
            throw new IllegalStateException(transactionalId + ": expiring in " + state);
        }
    }

    private TransactionMetadata transition(TransactionState target, long newProducerId, long newNextProducerId,
                                           short epoch, short last, int newTimeoutMs, Set<TopicPartition> newPartitions,
                                           long start, long now, TransactionVersion version) {
        if (!target.canTransitionFrom(state)) {
            throw new IllegalStateException(transactionalId + ": no transition from " + state + " to " + target);
        }
        if (newProducerId < 0) {
            throw new IllegalArgumentException("producer id " + newProducerId + " (expected: >= 0)");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("producer epoch " + epoch + " (expected: >= 0)");
        }
        return new TransactionMetadata(transactionalId, newProducerId, producerId, newNextProducerId, epoch, last,
                newTimeoutMs, target, newPartitions, start, now, version);
    }
}
