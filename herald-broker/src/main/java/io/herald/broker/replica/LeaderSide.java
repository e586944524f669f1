package io.herald.broker.replica;

import io.herald.common.txn.VerificationGuard;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.log.FileSlice;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.TransactionMarker;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntFunction;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The leader side of a partition ({@link Partition}): appends produced records, serves reads to consumers
 * (below the HW) and to followers (up to the log end offset), records the followers' progress from their
 * fetches and advances the high watermark from it, and moves the log start offset for DeleteRecords, which is
 * done once the low watermark (the smallest log start offset over the live replicas) reaches it.
 *
 * <p>Invariants (Kafka's): HW = the smallest log end offset over the maximal ISR
 * ({@link PartitionState#maximalIsr}), never lowered; acks=all appends are refused while the committed ISR is
 * smaller than the effective {@code min.insync.replicas}.
 *
 * <p>Thread-safety: thread-safe. Appends and follower fetches hold the partition's read lock, so they never
 * interleave with a role change (write lock) and nothing is appended under an epoch this replica has left. The
 * HW is raised by {@link HighWatermark} under its monitor; the HW and low watermark listeners and ISR expansion
 * run after the read lock is released.
 */
final class LeaderSide {
    /** The DeleteRecords offset that means "up to the high watermark" (Kafka's protocol). */
    static final long DELETE_TO_HIGH_WATERMARK = -1L;

    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final Partition.Context ctx;
    private final ReentrantReadWriteLock lock;
    private final IsrManager isr;
    private final HighWatermark highWatermark;
    private final EpochValidator epochs;

    LeaderSide(TopicPartition topicPartition, PartitionLog log, Partition.Context ctx, ReentrantReadWriteLock lock,
               IsrManager isr, HighWatermark highWatermark, EpochValidator epochs) {
        this.topicPartition = topicPartition;
        this.log = log;
        this.ctx = ctx;
        this.lock = lock;
        this.isr = isr;
        this.highWatermark = highWatermark;
        this.epochs = epochs;
    }

    LogAppendInfo append(MemoryRecords records, int requiredAcks, int minInsyncReplicas,
                         Optional<VerificationGuard> verification) {
        return appendAsLeader(requiredAcks, minInsyncReplicas, epoch -> verification.isPresent()
                ? log.appendAsLeader(records, epoch, verification.get()) : log.appendAsLeader(records, epoch));
    }

    /** A producer's batch the broker took delayed records out of (offset gaps allowed). */
    LogAppendInfo appendGapped(MemoryRecords records, int requiredAcks, int minInsyncReplicas,
                               Optional<VerificationGuard> verification) {
        return appendAsLeader(requiredAcks, minInsyncReplicas, epoch -> verification.isPresent()
                ? log.appendGappedAsLeader(records, epoch, verification.get())
                : log.appendGappedAsLeader(records, epoch));
    }

    LogAppendInfo appendAsCoordinator(MemoryRecords records, VerificationGuard verification) {
        return appendAsLeader(1, 1, epoch -> log.appendAsCoordinator(records, epoch, verification));
    }

    /** A transaction marker, as acks=all: the coordinator waits for it to reach the ISR. */
    LogAppendInfo appendMarker(TransactionMarker marker, int minInsyncReplicas) {
        return appendAsLeader(-1, minInsyncReplicas, epoch -> log.appendTransactionMarker(marker, epoch));
    }

    private LogAppendInfo appendAsLeader(int requiredAcks, int minInsyncReplicas, IntFunction<LogAppendInfo> append) {
        LogAppendInfo info;
        lock.readLock().lock();
        try {
            PartitionState current = isr.state();
            if (!current.isLedBy(ctx.localBrokerId())) {
                throw notLeader();
            }
            int minIsr = current.effectiveMinIsr(minInsyncReplicas);
            if (requiredAcks == -1 && current.isr().size() < minIsr) {
                throw new NotEnoughReplicasException("The size of the current ISR " + current.isr()
                        + " is insufficient to satisfy the min.isr requirement of " + minIsr + " for partition "
                        + topicPartition);
            }
            info = append.apply(current.leaderEpoch());
        } finally {
            lock.readLock().unlock();
        }
        maybeIncrementHighWatermark();
        return info;
    }

    Optional<Errors> checkEnoughReplicasReachOffset(long requiredOffset, int minInsyncReplicas) {
        PartitionState current = isr.state();
        if (!current.isLedBy(ctx.localBrokerId())) {
            return Optional.of(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (log.highWatermark() >= requiredOffset) {
            return Optional.of(current.maximalIsr().size() >= current.effectiveMinIsr(minInsyncReplicas)
                    ? Errors.NONE : Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        }
        return Optional.empty();
    }

    void checkLeader() {
        if (!isr.isLeader()) {
            throw notLeader();
        }
    }

    Partition.ConsumerRead read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation) {
        checkLeader();
        // The LSO first: it is computed from the HW, which only grows, so lso <= the hw read after it.
        long lastStable = log.lastStableOffset();
        long hw = log.highWatermark();
        if (isolation == IsolationLevel.READ_UNCOMMITTED) {
            return new Partition.ConsumerRead(log.read(offset, maxBytes, hw, minOneMessage), lastStable,
                    Optional.empty());
        }
        LogReadResult read = offset >= lastStable && offset <= log.logEndOffset()
                ? emptyRead(offset) : log.read(offset, maxBytes, lastStable, minOneMessage);
        List<AbortedTransaction> aborted = read.slice().size() == 0 ? List.of()
                : log.abortedTransactions(offset, lastStable);
        return new Partition.ConsumerRead(read, lastStable, Optional.of(aborted));
    }

    /** Nothing to return at {@code offset} (at or past what the isolation level may see); still range-checked. */
    private LogReadResult emptyRead(long offset) {
        if (offset < log.logStartOffset()) {
            throw new org.apache.kafka.common.errors.OffsetOutOfRangeException(topicPartition + ": offset " + offset
                    + " is below the log start offset " + log.logStartOffset());
        }
        return new LogReadResult(FileSlice.empty(), log.logStartOffset(), log.logEndOffset(), log.highWatermark());
    }

    Partition.FollowerFetch fetchForFollower(int replicaId, long fetchOffset, int lastFetchedEpoch,
                                             int currentLeaderEpoch, long followerLogStartOffset, int maxBytes,
                                             boolean minOneMessage) {
        LogReadResult read;
        FollowerTracker.FetchRecorded recorded;
        lock.readLock().lock();
        try {
            checkLeader();
            epochs.checkLeaderEpoch(currentLeaderEpoch);
            if (!isr.state().replicas().contains(replicaId)) {
                throw new NotLeaderOrFollowerException("Broker " + replicaId + " is not a replica of "
                        + topicPartition);
            }
            Optional<EpochEndOffset> diverging = epochs.divergingEpoch(fetchOffset, lastFetchedEpoch);
            if (diverging.isPresent()) {
                LogReadResult empty = new LogReadResult(FileSlice.empty(), log.logStartOffset(), log.logEndOffset(),
                        log.highWatermark());
                return new Partition.FollowerFetch(empty, diverging, log.highWatermark());
            }
            long leaderEnd = log.logEndOffset();
            read = log.read(fetchOffset, maxBytes, leaderEnd, minOneMessage);
            recorded = isr.followers().recordFetch(replicaId, fetchOffset, followerLogStartOffset,
                    ctx.time().milliseconds(), leaderEnd);
        } finally {
            lock.readLock().unlock();
        }
        onFollowerProgress(replicaId, recorded);
        return new Partition.FollowerFetch(read, Optional.empty(), log.highWatermark());
    }

    void updateFollowerFetchState(int replicaId, long fetchOffset, long followerLogStartOffset) {
        FollowerTracker.FetchRecorded recorded;
        lock.readLock().lock();
        try {
            if (!isr.isLeader()) {
                return;
            }
            recorded = isr.followers().recordFetch(replicaId, fetchOffset, followerLogStartOffset,
                    ctx.time().milliseconds(), log.logEndOffset());
        } finally {
            lock.readLock().unlock();
        }
        if (recorded != FollowerTracker.FetchRecorded.NOT_A_FOLLOWER) {
            onFollowerProgress(replicaId, recorded);
        }
    }

    /** After a follower's fetch was recorded (outside the lock): ISR expansion, HW, low watermark listener. */
    private void onFollowerProgress(int replicaId, FollowerTracker.FetchRecorded recorded) {
        isr.maybeExpand(replicaId);
        maybeIncrementHighWatermark();
        if (recorded == FollowerTracker.FetchRecorded.LOG_START_MOVED) {
            ctx.onLowWatermark().accept(topicPartition);
        }
    }

    /** Kafka's low watermark (see {@link FollowerTracker#lowWatermark}). Leader only. */
    long lowWatermark() {
        checkLeader();
        return isr.followers().lowWatermark(log.logStartOffset(), ctx.brokerAlive());
    }

    /**
     * Moves the log start offset up to {@code offset} ({@code -1}: the HW), as DeleteRecords asks; the
     * followers follow on their next fetches.
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     * @throws org.apache.kafka.common.errors.OffsetOutOfRangeException above the HW
     */
    Partition.DeleteRecordsResult deleteRecords(long offset) {
        Partition.DeleteRecordsResult result;
        lock.readLock().lock();
        try {
            checkLeader();
            if (offset < 0 && offset != DELETE_TO_HIGH_WATERMARK) {
                throw new org.apache.kafka.common.errors.OffsetOutOfRangeException(topicPartition
                        + ": cannot delete records before offset " + offset + " (expected: >= 0, or -1 for the "
                        + "high watermark)");
            }
            long requested = offset == DELETE_TO_HIGH_WATERMARK ? log.highWatermark() : offset;
            log.deleteRecordsBefore(requested);
            result = new Partition.DeleteRecordsResult(requested, lowWatermark());
        } finally {
            lock.readLock().unlock();
        }
        ctx.onLowWatermark().accept(topicPartition);
        return result;
    }

    boolean maybeIncrementHighWatermark() {
        boolean raised = highWatermark.maybeRaise(() -> {
            PartitionState current = isr.state();
            return current.isLedBy(ctx.localBrokerId())
                    ? isr.followers().highWatermarkTarget(current.maximalIsr(), log.logEndOffset())
                    : Long.MIN_VALUE;
        });
        if (raised) {
            ctx.onHighWatermark().accept(topicPartition);
        }
        return raised;
    }

    CompletableFuture<Void> awaitHighWatermark(long offset, long timeoutMs) {
        if (!isr.isLeader()) {
            return CompletableFuture.failedFuture(notLeader());
        }
        CompletableFuture<Void> reached = highWatermark.await(offset, timeoutMs);
        if (!isr.isLeader()) {
            // Resigned between the check and the registration: the resignation may have missed this waiter.
            highWatermark.failAll(notLeader());
        }
        return reached;
    }

    NotLeaderOrFollowerException notLeader() {
        PartitionState s = isr.state();
        return new NotLeaderOrFollowerException("Broker " + ctx.localBrokerId() + " is not the leader of "
                + topicPartition + " (leader " + s.leaderId() + ", epoch " + s.leaderEpoch() + ")");
    }
}
