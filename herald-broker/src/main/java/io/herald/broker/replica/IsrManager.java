package io.herald.broker.replica;

import io.herald.broker.replica.PartitionState.PendingIsr;
import io.herald.metadata.image.PartitionImage;
import io.herald.storage.log.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's leader/ISR state ({@link PartitionState}) and, while this broker leads, its view of the
 * followers ({@link FollowerTracker}) and the ISR change state machine: followers that lag for longer than
 * {@code replica.lag.time.max.ms} are proposed for removal, followers that caught up for addition.
 *
 * <p>ISR changes (Kafka's AlterPartition rules): at most one is in flight to the controller; the answer, or a
 * metadata image with a higher partition epoch, replaces the committed ISR and ends the pending change; answers
 * for an older leader or partition epoch, or to a change already superseded, are dropped. A change rejected as
 * stale waits for newer metadata; one that failed for another reason is retried after
 * {@link #ALTER_PARTITION_RETRY_MS}.
 *
 * <p>Thread-safety: thread-safe. Every change of the state or of the followers (role changes, ISR proposals,
 * controller answers) happens under the partition's write lock, which this class takes; the state is read
 * lock-free. {@code onIsrChanged} and the request to the controller run after the lock is released; answers are
 * handled on {@code ctx.callbacks()}.
 */
final class IsrManager {
    private static final Logger LOG = LoggerFactory.getLogger(IsrManager.class);
    /** Pause before an ISR change that failed for a transient reason is tried again. */
    static final long ALTER_PARTITION_RETRY_MS = 100;

    /** What a leader image did to this replica. */
    enum LeaderChange { IGNORED, NEW_EPOCH, UPDATED }

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final Partition.Context ctx;
    private final ReentrantReadWriteLock lock;
    private final Runnable onIsrChanged;
    private final FollowerTracker followers;
    private volatile PartitionState state = PartitionState.UNKNOWN;
    private volatile long alterPartitionRetryAtMs;

    /**
     * @param lock         the partition's lock
     * @param onIsrChanged run (outside the lock) after an answer from the controller changed or ended the pending
     *                     change: the maximal ISR may have lost a member, so the HW may move
     */
    IsrManager(TopicPartition topicPartition, Uuid topicId, PartitionLog log, Partition.Context ctx,
               ReentrantReadWriteLock lock, Runnable onIsrChanged) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.ctx = ctx;
        this.lock = lock;
        this.onIsrChanged = onIsrChanged;
        this.followers = new FollowerTracker(ctx.localBrokerId());
    }

    PartitionState state() {
        return state;
    }

    FollowerTracker followers() {
        return followers;
    }

    boolean isLeader() {
        return state.isLedBy(ctx.localBrokerId());
    }

    // ---- role changes (under the partition's write lock) ----

    /**
     * Applies an image in which this broker leads. A new leader epoch resets the followers' state and records
     * the epoch's start offset in the log; the same epoch with a higher partition epoch only updates the
     * replicas and the ISR (and ends a pending ISR change it supersedes). Older images are ignored.
     */
    LeaderChange becomeLeader(PartitionImage image) {
        lock.writeLock().lock();
        try {
            return applyLeaderImage(image);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private LeaderChange applyLeaderImage(PartitionImage image) {
        PartitionState current = state;
        boolean wasLeader = current.isLedBy(ctx.localBrokerId());
        if (image.leaderEpoch() < current.leaderEpoch() || (wasLeader && image.leaderEpoch() == current.leaderEpoch()
                && image.partitionEpoch() <= current.partitionEpoch())) {
            return LeaderChange.IGNORED;
        }
        long now = ctx.time().milliseconds();
        if (!wasLeader || image.leaderEpoch() > current.leaderEpoch()) {
            long startOffset = log.logEndOffset();
            followers.startEpoch(image.replicas(), image.isr(), now, startOffset);
            log.assignEpochStartOffset(image.leaderEpoch(), startOffset);
            state = PartitionState.of(image, ctx.localBrokerId());
            LOG.info("{}: leader in epoch {} from offset {}, ISR {}, high watermark {}", topicPartition,
                    image.leaderEpoch(), startOffset, image.isr(), log.highWatermark());
            return LeaderChange.NEW_EPOCH;
        }
        followers.updateReplicas(image.replicas(), now);
        state = PartitionState.of(image, ctx.localBrokerId());
        LOG.info("{}: ISR now {} (partition epoch {})", topicPartition, image.isr(), image.partitionEpoch());
        return LeaderChange.UPDATED;
    }

    /**
     * Applies an image in which another broker (or nobody, leader -1) leads. Older images are ignored.
     *
     * @return true if this replica led before (it resigned)
     */
    boolean becomeFollower(PartitionImage image) {
        lock.writeLock().lock();
        try {
            PartitionState current = state;
            if (image.leaderEpoch() < current.leaderEpoch()) {
                return false;
            }
            boolean resigned = current.isLedBy(ctx.localBrokerId());
            followers.clear();
            state = PartitionState.of(image, image.leader());
            if (resigned || image.leaderEpoch() > current.leaderEpoch()) {
                LOG.info("{}: follower of {} in epoch {}", topicPartition, image.leader(), image.leaderEpoch());
            }
            return resigned;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The replica left this broker. @return true if it led */
    boolean remove() {
        lock.writeLock().lock();
        try {
            boolean wasLeader = isLeader();
            followers.clear();
            state = state.withoutLeader();
            return wasLeader;
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---- ISR changes (leader) ----

    /**
     * Proposes removing the followers that have not caught up within {@code replica.lag.time.max.ms}, unless a
     * change is in flight or a failed one waits for its retry.
     */
    void maybeShrink() {
        PendingIsr sent;
        lock.writeLock().lock();
        try {
            PartitionState before = state;
            if (!before.isLedBy(ctx.localBrokerId()) || before.pending().isPresent()
                    || ctx.time().milliseconds() < alterPartitionRetryAtMs) {
                return;
            }
            long leaderEnd = log.logEndOffset();
            List<Integer> lagging = followers.laggingMembers(before.isr(), leaderEnd, ctx.time().milliseconds(),
                    ctx.config().replicaLagTimeMaxMs());
            if (lagging.isEmpty()) {
                return;
            }
            List<Integer> keep = new ArrayList<>(before.isr());
            keep.removeAll(lagging);
            LOG.info("{}: shrinking ISR from {} to {}: {} not caught up within {} ms (leader end offset {}, "
                    + "high watermark {})", topicPartition, before.isr(), keep, lagging,
                    ctx.config().replicaLagTimeMaxMs(), leaderEnd, log.highWatermark());
            sent = propose(before, keep);
        } finally {
            lock.writeLock().unlock();
        }
        send(sent);
    }

    /** Proposes adding a follower that reached the HW and this epoch's start. */
    void maybeExpand(int replicaId) {
        if (!needsExpand(replicaId)) {
            return;
        }
        PendingIsr sent;
        lock.writeLock().lock();
        try {
            if (!needsExpand(replicaId)) {
                return;
            }
            PartitionState before = state;
            List<Integer> grown = new ArrayList<>(before.isr());
            grown.add(replicaId);
            LOG.info("{}: expanding ISR from {} to {}: follower {} caught up to offset {}", topicPartition,
                    before.isr(), grown, replicaId, followers.logEndOffset(replicaId));
            sent = propose(before, grown);
        } finally {
            lock.writeLock().unlock();
        }
        send(sent);
    }

    private boolean needsExpand(int replicaId) {
        PartitionState s = state;
        return s.isLedBy(ctx.localBrokerId()) && s.pending().isEmpty() && !s.isr().contains(replicaId)
                && s.replicas().contains(replicaId) && ctx.time().milliseconds() >= alterPartitionRetryAtMs
                && followers.mayJoinIsr(replicaId, log.highWatermark())
                // As the controller would refuse it (IneligibleReplica): a fenced or unregistered broker, e.g. one
                // that stopped right after catching up, is not proposed again and again.
                && ctx.brokerAlive().test(replicaId)
                // Nor one whose replica is offline (a failed log dir): its last fetch state may look caught up.
                && !ctx.replicaOffline().test(replicaId, topicId, topicPartition.partition());
    }

    /** Marks {@code proposedIsr} as in flight. Caller holds the write lock. */
    private PendingIsr propose(PartitionState before, List<Integer> proposedIsr) {
        PendingIsr change = new PendingIsr(List.copyOf(proposedIsr), before.leaderEpoch(), before.partitionEpoch());
        state = before.withPending(change);
        return change;
    }

    private void send(PendingIsr sent) {
        CompletableFuture<PartitionImage> answer;
        try {
            answer = ctx.alterPartition().alterPartition(ctx.localBrokerId(), topicId, topicPartition.partition(),
                    sent.leaderEpoch(), sent.partitionEpoch(), sent.proposedIsr());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        try {
            answer.whenCompleteAsync((image, error) -> onAlterPartitionAnswer(sent, image, error), ctx.callbacks());
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: replica manager closed; ISR change to {} abandoned", topicPartition, sent.proposedIsr());
        }
    }

    private void onAlterPartitionAnswer(PendingIsr sent, PartitionImage image, Throwable error) {
        lock.writeLock().lock();
        try {
            PartitionState current = state;
            if (current.pending().isEmpty() || current.pending().get() != sent) {
                LOG.debug("{}: dropping the answer to ISR change {}: superseded", topicPartition, sent.proposedIsr());
                return;
            }
            if (error != null) {
                onAlterPartitionFailed(current, sent, error);
                return;
            }
            if (image.leader() != ctx.localBrokerId() || image.leaderEpoch() != current.leaderEpoch()
                    || image.partitionEpoch() <= current.partitionEpoch()) {
                state = current.withoutPending();
                LOG.info("{}: dropping stale ISR change answer (leader {} epoch {}, partition epoch {})",
                        topicPartition, image.leader(), image.leaderEpoch(), image.partitionEpoch());
                return;
            }
            state = new PartitionState(current.leaderId(), current.leaderEpoch(), image.partitionEpoch(),
                    image.replicas(), image.isr(), Optional.empty());
            LOG.info("{}: ISR now {} (partition epoch {})", topicPartition, image.isr(), image.partitionEpoch());
        } finally {
            lock.writeLock().unlock();
            // The maximal ISR may have lost a member either way: the HW may move, parked produces may finish.
            onIsrChanged.run();
        }
    }

    /** Ends the pending change; a stale one waits for newer metadata, any other failure is retried later. */
    private void onAlterPartitionFailed(PartitionState current, PendingIsr sent, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        state = current.withoutPending();
        if (cause instanceof InvalidUpdateVersionException || cause instanceof FencedLeaderEpochException
                || cause instanceof NotLeaderOrFollowerException || cause instanceof UnknownTopicOrPartitionException) {
            LOG.info("{}: ISR change to {} rejected as stale ({}); waiting for newer metadata", topicPartition,
                    sent.proposedIsr(), cause.toString());
        } else {
            alterPartitionRetryAtMs = ctx.time().milliseconds() + ALTER_PARTITION_RETRY_MS;
            LOG.warn("{}: ISR change to {} failed ({}); will retry", topicPartition, sent.proposedIsr(),
                    cause.toString());
        }
    }
}
