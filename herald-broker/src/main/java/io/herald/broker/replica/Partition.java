package io.herald.broker.replica;

import io.herald.metadata.image.PartitionImage;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition replica hosted by this broker: its log, its role (leader or follower) in the current leader epoch,
 * and, as leader, the followers' progress, the in-sync replica set (ISR) and the high watermark (HW).
 *
 * <p>Leader invariants (Kafka's): HW = the smallest log end offset over the "maximal" ISR, which is the committed
 * ISR plus a replica being added (an expansion counts at once) but still including a replica being removed (a
 * shrink counts only once the controller committed it); the HW never moves back. A new leader knows no follower
 * offsets, so its HW only moves once the ISR's followers have fetched. At most one ISR change is in flight to the
 * controller ({@link AlterPartitionChannel}); the answer, or a metadata image with a higher partition epoch,
 * replaces the committed ISR; answers for an older leader or partition epoch are dropped.
 *
 * <p>Follower: the log is written by the replica fetcher only ({@link #appendAsFollower}); its HW is
 * min(leader's HW, own log end offset).
 *
 * <p>Thread-safety: thread-safe. A read-write lock orders role changes (write) against appends and follower
 * fetches (read), so nothing is appended under an epoch this replica has left. The HW is only ever raised under
 * this object's monitor (compare and set). Callbacks (HW listener, ISR requests to the controller) run after the
 * locks are released.
 */
public final class Partition {
    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);
    /** Pause before an ISR change that failed for a transient reason is tried again. */
    static final long ALTER_PARTITION_RETRY_MS = 100;

    /**
     * What a partition needs from its replica manager.
     *
     * @param onHighWatermark told (outside any partition lock) after the HW rose, or after a role change, so
     *                        parked produce and fetch requests are re-checked
     * @param callbacks       where AlterPartition answers are handled (never the controller's thread)
     */
    public record Context(int localBrokerId, Time time, ReplicationConfig config, AlterPartitionChannel alterPartition,
                          Executor callbacks, Consumer<TopicPartition> onHighWatermark) {}

    /** The leader/ISR state; replaced as a whole under the write lock, read lock-free. */
    private record State(int leaderId, int leaderEpoch, int partitionEpoch, List<Integer> replicas,
                         List<Integer> isr, Optional<PendingIsr> pending) {
        List<Integer> maximalIsr() {
            if (pending.isEmpty()) {
                return isr;
            }
            Set<Integer> all = new LinkedHashSet<>(isr);
            all.addAll(pending.get().proposedIsr());
            return List.copyOf(all);
        }
    }

    /** An ISR change sent to the controller and not answered yet. */
    private record PendingIsr(List<Integer> proposedIsr, int leaderEpoch, int partitionEpoch) {}

    /** A caller of {@link #awaitHighWatermark}. */
    private record HwWaiter(long offset, CompletableFuture<Void> future) {}

    /** A follower fetch answered by this leader: the bytes, or where the follower's log diverges from ours. */
    public record FollowerFetch(LogReadResult read, Optional<EpochEndOffset> divergingEpoch, long highWatermark) {}

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final Context ctx;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Leader only: the followers' progress, by broker id. Replaced on every new leader epoch. */
    private volatile Map<Integer, FollowerReplica> followers = Map.of();
    private volatile State state;
    /** The log end offset when this replica became leader of the current epoch (-1 when follower). */
    private volatile long leaderEpochStartOffset = -1;
    private volatile long alterPartitionRetryAtMs;
    private final List<HwWaiter> hwWaiters = new ArrayList<>();

    public Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, Context ctx) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.ctx = ctx;
        this.state = new State(-1, -1, -1, List.of(), List.of(), Optional.empty());
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    public int leaderId() {
        return state.leaderId();
    }

    public int partitionEpoch() {
        return state.partitionEpoch();
    }

    public List<Integer> replicas() {
        return state.replicas();
    }

    /** The committed ISR (as the controller last confirmed it). */
    public List<Integer> isr() {
        return state.isr();
    }

    /** The ISR the HW is computed over: the committed one plus a replica being added. */
    public List<Integer> maximalIsr() {
        return state.maximalIsr();
    }

    /** Whether an ISR change is waiting for the controller's answer. */
    public boolean hasPendingIsrChange() {
        return state.pending().isPresent();
    }

    public boolean isLeader() {
        return state.leaderId() == ctx.localBrokerId();
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /** Leader only: a follower's last reported log end offset, or -1 when unknown. */
    public long followerLogEndOffset(int brokerId) {
        FollowerReplica f = followers.get(brokerId);
        return f == null ? FollowerReplica.UNKNOWN : f.logEndOffset();
    }

    // ---- role changes (metadata thread) ----

    /**
     * Applies an image in which this broker leads. A new leader epoch resets the followers' state and records
     * the epoch's start offset in the log; the same epoch with a higher partition epoch only updates the
     * replicas and the ISR (and ends a pending ISR change it supersedes). Older images are ignored.
     *
     * @return true if this call made the replica leader of a new epoch
     */
    boolean makeLeader(PartitionImage image) {
        boolean newEpoch;
        lock.writeLock().lock();
        try {
            State current = state;
            boolean wasLeader = current.leaderId() == ctx.localBrokerId();
            if (image.leaderEpoch() < current.leaderEpoch()
                    || (wasLeader && image.leaderEpoch() == current.leaderEpoch()
                    && image.partitionEpoch() <= current.partitionEpoch())) {
                return false;
            }
            newEpoch = !wasLeader || image.leaderEpoch() > current.leaderEpoch();
            if (newEpoch) {
                long now = ctx.time().milliseconds();
                Map<Integer, FollowerReplica> fresh = new HashMap<>();
                for (int id : image.replicas()) {
                    if (id != ctx.localBrokerId()) {
                        fresh.put(id, new FollowerReplica(id, now, image.isr().contains(id)));
                    }
                }
                followers = Map.copyOf(fresh);
                leaderEpochStartOffset = log.logEndOffset();
                log.assignEpochStartOffset(image.leaderEpoch(), leaderEpochStartOffset);
                state = new State(ctx.localBrokerId(), image.leaderEpoch(), image.partitionEpoch(), image.replicas(),
                        image.isr(), Optional.empty());
                LOG.info("{}: leader in epoch {} from offset {}, ISR {}, high watermark {}", topicPartition,
                        image.leaderEpoch(), leaderEpochStartOffset, image.isr(), log.highWatermark());
            } else {
                Map<Integer, FollowerReplica> updated = new HashMap<>(followers);
                long now = ctx.time().milliseconds();
                updated.keySet().retainAll(image.replicas());
                for (int id : image.replicas()) {
                    if (id != ctx.localBrokerId()) {
                        updated.computeIfAbsent(id, i -> new FollowerReplica(i, now, false));
                    }
                }
                followers = Map.copyOf(updated);
                state = new State(ctx.localBrokerId(), image.leaderEpoch(), image.partitionEpoch(), image.replicas(),
                        image.isr(), Optional.empty());
                LOG.info("{}: ISR now {} (partition epoch {})", topicPartition, image.isr(), image.partitionEpoch());
            }
        } finally {
            lock.writeLock().unlock();
        }
        maybeIncrementHighWatermark();
        ctx.onHighWatermark().accept(topicPartition);
        return newEpoch;
    }

    /**
     * Applies an image in which another broker (or nobody, leader -1) leads. Older images are ignored.
     *
     * @return true if this replica was leader before (it resigned)
     */
    boolean makeFollower(PartitionImage image) {
        boolean resigned;
        lock.writeLock().lock();
        try {
            State current = state;
            if (image.leaderEpoch() < current.leaderEpoch()) {
                return false;
            }
            resigned = current.leaderId() == ctx.localBrokerId();
            followers = Map.of();
            leaderEpochStartOffset = -1;
            state = new State(image.leader(), image.leaderEpoch(), image.partitionEpoch(), image.replicas(),
                    image.isr(), Optional.empty());
            if (resigned || image.leaderEpoch() > current.leaderEpoch()) {
                LOG.info("{}: follower of {} in epoch {}", topicPartition, image.leader(), image.leaderEpoch());
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (resigned) {
            failHwWaiters(new NotLeaderOrFollowerException("Leadership of " + topicPartition + " moved to broker "
                    + image.leader()));
            ctx.onHighWatermark().accept(topicPartition);
        }
        return resigned;
    }

    /**
     * The partition is gone from this broker (topic deleted or replica moved away).
     *
     * @return true if it was leader
     */
    boolean markRemoved() {
        boolean wasLeader;
        lock.writeLock().lock();
        try {
            wasLeader = isLeader();
            State current = state;
            followers = Map.of();
            state = new State(-1, current.leaderEpoch(), current.partitionEpoch(), current.replicas(), current.isr(),
                    Optional.empty());
        } finally {
            lock.writeLock().unlock();
        }
        failHwWaiters(new NotLeaderOrFollowerException(topicPartition + " is no longer hosted here"));
        ctx.onHighWatermark().accept(topicPartition);
        return wasLeader;
    }

    // ---- leader: produce ----

    /**
     * Appends as leader with acks=1 semantics (used by the group coordinator), then advances the HW as far as
     * the ISR allows.
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     */
    public LogAppendInfo appendAsLeader(MemoryRecords records) {
        return appendRecordsToLeader(records, 1, 1);
    }

    /**
     * Appends a produce request's records as leader. With {@code requiredAcks == -1} the append is refused when
     * the committed ISR is smaller than the effective {@code min.insync.replicas} (capped at the replication
     * factor, as Kafka does).
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     * @throws NotEnoughReplicasException   acks=all and too few in-sync replicas
     */
    public LogAppendInfo appendRecordsToLeader(MemoryRecords records, int requiredAcks, int minInsyncReplicas) {
        LogAppendInfo info;
        lock.readLock().lock();
        try {
            State current = state;
            if (current.leaderId() != ctx.localBrokerId()) {
                throw notLeader();
            }
            int minIsr = effectiveMinIsr(current, minInsyncReplicas);
            if (requiredAcks == -1 && current.isr().size() < minIsr) {
                throw new NotEnoughReplicasException("The size of the current ISR " + current.isr()
                        + " is insufficient to satisfy the min.isr requirement of " + minIsr + " for partition "
                        + topicPartition);
            }
            info = log.appendAsLeader(records, current.leaderEpoch());
        } finally {
            lock.readLock().unlock();
        }
        maybeIncrementHighWatermark();
        return info;
    }

    /**
     * Whether an acks=all append ending before {@code requiredOffset} is done: {@link Errors#NONE} once the HW
     * reached it with enough replicas in the maximal ISR, {@link Errors#NOT_ENOUGH_REPLICAS_AFTER_APPEND} when it
     * reached it with too few (the ISR shrank meanwhile), {@link Errors#NOT_LEADER_OR_FOLLOWER} after losing
     * leadership, empty while still waiting.
     */
    public Optional<Errors> checkEnoughReplicasReachOffset(long requiredOffset, int minInsyncReplicas) {
        State current = state;
        if (current.leaderId() != ctx.localBrokerId()) {
            return Optional.of(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (log.highWatermark() >= requiredOffset) {
            return Optional.of(current.maximalIsr().size() >= effectiveMinIsr(current, minInsyncReplicas)
                    ? Errors.NONE : Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        }
        return Optional.empty();
    }

    private static int effectiveMinIsr(State s, int minInsyncReplicas) {
        return Math.max(1, Math.min(minInsyncReplicas, Math.max(1, s.replicas().size())));
    }

    // ---- leader: reads ----

    /** Throws {@link NotLeaderOrFollowerException} unless this replica leads. */
    public void checkLeader() {
        if (!isLeader()) {
            throw notLeader();
        }
    }

    /** Reads committed data (below the HW), as consumers see it. Leader only. */
    public LogReadResult read(long offset, int maxBytes, boolean minOneMessage) {
        checkLeader();
        return log.read(offset, maxBytes, log.highWatermark(), minOneMessage);
    }

    /**
     * Serves a follower's fetch: checks the epochs, reports a divergence (KIP-320: the follower's last fetched
     * epoch ends earlier here than its fetch offset), else reads up to the log end offset and records the
     * follower's progress, which may raise the HW and add the follower to the ISR.
     *
     * @param lastFetchedEpoch the epoch of the follower's last batch, -1 when unknown (no divergence check)
     * @throws NotLeaderOrFollowerException, FencedLeaderEpochException, UnknownLeaderEpochException,
     *         OffsetOutOfRangeException
     */
    public FollowerFetch fetchForFollower(int replicaId, long fetchOffset, int lastFetchedEpoch,
                                          int currentLeaderEpoch, long followerLogStartOffset, int maxBytes,
                                          boolean minOneMessage) {
        FollowerFetch result;
        lock.readLock().lock();
        try {
            checkLeader();
            checkLeaderEpoch(currentLeaderEpoch);
            if (!state.replicas().contains(replicaId)) {
                throw new NotLeaderOrFollowerException("Broker " + replicaId + " is not a replica of "
                        + topicPartition);
            }
            if (lastFetchedEpoch >= 0) {
                EpochEndOffset end = epochEndOffset(lastFetchedEpoch);
                if (end.epoch() < 0 || end.endOffset() < 0) {
                    throw new OffsetOutOfRangeException("Could not determine the end offset of the last fetched epoch "
                            + lastFetchedEpoch + " of " + topicPartition);
                }
                if (fetchOffset < log.logStartOffset()) {
                    throw new OffsetOutOfRangeException("Fetch offset " + fetchOffset + " is below the log start "
                            + "offset " + log.logStartOffset() + " of " + topicPartition);
                }
                if (end.epoch() < lastFetchedEpoch || end.endOffset() < fetchOffset) {
                    LogReadResult empty = new LogReadResult(io.herald.storage.log.FileSlice.empty(),
                            log.logStartOffset(), log.logEndOffset(), log.highWatermark());
                    return new FollowerFetch(empty, Optional.of(end), log.highWatermark());
                }
            }
            long leaderEnd = log.logEndOffset();
            LogReadResult read = log.read(fetchOffset, maxBytes, leaderEnd, minOneMessage);
            FollowerReplica follower = followers.get(replicaId);
            if (follower != null) {
                follower.updateFetchState(fetchOffset, followerLogStartOffset, ctx.time().milliseconds(), leaderEnd);
            }
            result = new FollowerFetch(read, Optional.empty(), -1);
        } finally {
            lock.readLock().unlock();
        }
        maybeExpandIsr(replicaId);
        maybeIncrementHighWatermark();
        return new FollowerFetch(result.read(), Optional.empty(), log.highWatermark());
    }

    /**
     * Records a follower's progress without reading (tests and callers that read elsewhere); may raise the HW
     * and add the follower to the ISR.
     */
    public void updateFollowerFetchState(int replicaId, long fetchOffset, long followerLogStartOffset) {
        lock.readLock().lock();
        try {
            FollowerReplica follower = followers.get(replicaId);
            if (follower == null || !isLeader()) {
                return;
            }
            follower.updateFetchState(fetchOffset, followerLogStartOffset, ctx.time().milliseconds(),
                    log.logEndOffset());
        } finally {
            lock.readLock().unlock();
        }
        maybeExpandIsr(replicaId);
        maybeIncrementHighWatermark();
    }

    /**
     * Raises the HW to the smallest log end offset over the maximal ISR (the local log end offset when this
     * replica is alone). Never lowers it. Tells the HW listener when it rose.
     *
     * @return true if the HW rose
     */
    public boolean maybeIncrementHighWatermark() {
        boolean raised = false;
        List<HwWaiter> done = List.of();
        synchronized (this) {
            State current = state;
            if (current.leaderId() != ctx.localBrokerId()) {
                return false;
            }
            long hw = log.logEndOffset();
            Map<Integer, FollowerReplica> f = followers;
            for (int id : current.maximalIsr()) {
                if (id == ctx.localBrokerId()) {
                    continue;
                }
                FollowerReplica follower = f.get(id);
                long leo = follower == null ? FollowerReplica.UNKNOWN : follower.logEndOffset();
                hw = Math.min(hw, leo);
            }
            if (hw > log.highWatermark()) {
                log.updateHighWatermark(hw);
                raised = true;
                done = completedWaiters(log.highWatermark());
            }
        }
        if (raised) {
            done.forEach(w -> w.future().complete(null));
            ctx.onHighWatermark().accept(topicPartition);
        }
        return raised;
    }

    // ---- leader: ISR maintenance ----

    /**
     * Removes from the ISR the followers that have not caught up within {@code replica.lag.time.max.ms} (the
     * periodic ISR check). Sends the change to the controller unless one is already in flight.
     */
    public void maybeShrinkIsr() {
        PendingIsr sent = null;
        State before;
        lock.writeLock().lock();
        try {
            before = state;
            if (before.leaderId() != ctx.localBrokerId() || before.pending().isPresent()
                    || ctx.time().milliseconds() < alterPartitionRetryAtMs) {
                return;
            }
            long now = ctx.time().milliseconds();
            long leaderEnd = log.logEndOffset();
            List<Integer> keep = new ArrayList<>();
            List<Integer> lagging = new ArrayList<>();
            for (int id : before.isr()) {
                FollowerReplica f = followers.get(id);
                if (id == ctx.localBrokerId() || (f != null && f.isCaughtUp(leaderEnd, now,
                        ctx.config().replicaLagTimeMaxMs()))) {
                    keep.add(id);
                } else {
                    lagging.add(id);
                }
            }
            if (lagging.isEmpty()) {
                return;
            }
            LOG.info("{}: shrinking ISR from {} to {}: {} not caught up within {} ms (leader end offset {}, "
                    + "high watermark {})", topicPartition, before.isr(), keep, lagging,
                    ctx.config().replicaLagTimeMaxMs(), leaderEnd, log.highWatermark());
            sent = new PendingIsr(List.copyOf(keep), before.leaderEpoch(), before.partitionEpoch());
            state = new State(before.leaderId(), before.leaderEpoch(), before.partitionEpoch(), before.replicas(),
                    before.isr(), Optional.of(sent));
        } finally {
            lock.writeLock().unlock();
        }
        send(sent);
    }

    /** Adds a follower that reached the HW (and this epoch's start) to the ISR. */
    private void maybeExpandIsr(int replicaId) {
        if (!needsExpand(replicaId)) {
            return;
        }
        PendingIsr sent;
        lock.writeLock().lock();
        try {
            if (!needsExpand(replicaId)) {
                return;
            }
            State before = state;
            List<Integer> grown = new ArrayList<>(before.isr());
            grown.add(replicaId);
            LOG.info("{}: expanding ISR from {} to {}: follower {} caught up to offset {}", topicPartition,
                    before.isr(), grown, replicaId, followerLogEndOffset(replicaId));
            sent = new PendingIsr(List.copyOf(grown), before.leaderEpoch(), before.partitionEpoch());
            state = new State(before.leaderId(), before.leaderEpoch(), before.partitionEpoch(), before.replicas(),
                    before.isr(), Optional.of(sent));
        } finally {
            lock.writeLock().unlock();
        }
        send(sent);
    }

    private boolean needsExpand(int replicaId) {
        State s = state;
        if (s.leaderId() != ctx.localBrokerId() || s.pending().isPresent() || s.isr().contains(replicaId)
                || !s.replicas().contains(replicaId) || ctx.time().milliseconds() < alterPartitionRetryAtMs) {
            return false;
        }
        FollowerReplica f = followers.get(replicaId);
        if (f == null) {
            return false;
        }
        long leo = f.logEndOffset();
        return leo >= log.highWatermark() && leo >= leaderEpochStartOffset;
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("{}: replica manager closed; ISR change to {} abandoned", topicPartition, sent.proposedIsr());
        }
    }

    private void onAlterPartitionAnswer(PendingIsr sent, PartitionImage image, Throwable error) {
        lock.writeLock().lock();
        try {
            State current = state;
            if (current.pending().isEmpty() || current.pending().get() != sent) {
                LOG.debug("{}: dropping the answer to ISR change {}: superseded", topicPartition, sent.proposedIsr());
                return;
            }
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                state = new State(current.leaderId(), current.leaderEpoch(), current.partitionEpoch(),
                        current.replicas(), current.isr(), Optional.empty());
                if (cause instanceof InvalidUpdateVersionException || cause instanceof FencedLeaderEpochException
                        || cause instanceof NotLeaderOrFollowerException
                        || cause instanceof UnknownTopicOrPartitionException) {
                    LOG.info("{}: ISR change to {} rejected as stale ({}); waiting for newer metadata",
                            topicPartition, sent.proposedIsr(), cause.toString());
                } else {
                    alterPartitionRetryAtMs = ctx.time().milliseconds() + ALTER_PARTITION_RETRY_MS;
                    LOG.warn("{}: ISR change to {} failed ({}); will retry", topicPartition, sent.proposedIsr(),
                            cause.toString());
                }
                return;
            }
            if (image.leader() != ctx.localBrokerId() || image.leaderEpoch() != current.leaderEpoch()
                    || image.partitionEpoch() <= current.partitionEpoch()) {
                state = new State(current.leaderId(), current.leaderEpoch(), current.partitionEpoch(),
                        current.replicas(), current.isr(), Optional.empty());
                LOG.info("{}: dropping stale ISR change answer (leader {} epoch {}, partition epoch {})",
                        topicPartition, image.leader(), image.leaderEpoch(), image.partitionEpoch());
                return;
            }
            state = new State(current.leaderId(), current.leaderEpoch(), image.partitionEpoch(), image.replicas(),
                    image.isr(), Optional.empty());
            LOG.info("{}: ISR now {} (partition epoch {})", topicPartition, image.isr(), image.partitionEpoch());
        } finally {
            lock.writeLock().unlock();
            // The maximal ISR may have lost a member either way: the HW may move, parked produces may finish.
            maybeIncrementHighWatermark();
            ctx.onHighWatermark().accept(topicPartition);
        }
    }

    // ---- follower ----

    /**
     * Appends records fetched from the leader of epoch {@code fetchEpoch}, keeping their offsets and epochs.
     *
     * @throws NotLeaderOrFollowerException when this replica leads, or moved to another epoch meanwhile
     */
    public LogAppendInfo appendAsFollower(MemoryRecords records, int fetchEpoch) {
        lock.readLock().lock();
        try {
            State s = state;
            if (s.leaderId() == ctx.localBrokerId() || s.leaderEpoch() != fetchEpoch) {
                throw new NotLeaderOrFollowerException(topicPartition + " is no longer a follower in epoch "
                        + fetchEpoch);
            }
            return log.appendAsFollower(records);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Follower HW: min(leader's HW, own log end offset). */
    public void updateFollowerHighWatermark(long leaderHighWatermark) {
        if (isLeader() || leaderHighWatermark < 0) {
            return;
        }
        log.updateHighWatermark(Math.min(leaderHighWatermark, log.logEndOffset()));
    }

    /** Follower: moves the log start offset up to the leader's, never past the local HW. */
    public void maybeIncrementLogStartOffset(long leaderLogStartOffset) {
        if (isLeader() || leaderLogStartOffset <= log.logStartOffset()) {
            return;
        }
        long target = Math.min(leaderLogStartOffset, log.highWatermark());
        if (target > log.logStartOffset()) {
            log.deleteRecordsBefore(target);
        }
    }

    /** Follower: removes everything at or after {@code offset}. */
    public void truncateTo(long offset, int fetchEpoch) {
        lock.readLock().lock();
        try {
            State s = state;
            if (s.leaderId() == ctx.localBrokerId() || s.leaderEpoch() != fetchEpoch) {
                throw new NotLeaderOrFollowerException(topicPartition + " is no longer a follower in epoch "
                        + fetchEpoch);
            }
            log.truncateTo(offset);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Follower: empties the log and restarts it at {@code offset} (below the leader's log start offset). */
    public void truncateFullyAndStartAt(long offset, int fetchEpoch) {
        lock.readLock().lock();
        try {
            State s = state;
            if (s.leaderId() == ctx.localBrokerId() || s.leaderEpoch() != fetchEpoch) {
                throw new NotLeaderOrFollowerException(topicPartition + " is no longer a follower in epoch "
                        + fetchEpoch);
            }
            log.truncateFullyAndStartAt(offset);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- waiting for the HW ----

    /**
     * Completes when the high watermark reaches `offset` (or at once if it already has); completes exceptionally
     * with NotLeaderOrFollowerException if leadership is lost first, or TimeoutException after timeoutMs.
     */
    public CompletableFuture<Void> awaitHighWatermark(long offset, long timeoutMs) {
        if (!isLeader()) {
            return CompletableFuture.failedFuture(notLeader());
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        HwWaiter waiter = new HwWaiter(offset, future);
        synchronized (this) {
            if (log.highWatermark() >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            hwWaiters.add(waiter);
        }
        if (!isLeader()) {
            // Resigned between the check and the registration: the resignation may have missed this waiter.
            failHwWaiters(notLeader());
        }
        // orTimeout cancels its timer when the HW completes the wait first: group commits wait here one per
        // request, and a timer left armed for every one of them would pile up for the whole timeout.
        return future.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionallyCompose(error -> {
            if (error instanceof java.util.concurrent.TimeoutException) {
                synchronized (this) {
                    hwWaiters.remove(waiter);
                }
                return CompletableFuture.failedFuture(new TimeoutException("High watermark of " + topicPartition
                        + " did not reach " + offset + " within " + timeoutMs + " ms"));
            }
            return CompletableFuture.failedFuture(error);
        });
    }

    /** Waiters whose offset the HW reached, removed from the list. Caller holds this monitor. */
    private List<HwWaiter> completedWaiters(long hw) {
        if (hwWaiters.isEmpty()) {
            return List.of();
        }
        List<HwWaiter> done = new ArrayList<>();
        for (Iterator<HwWaiter> it = hwWaiters.iterator(); it.hasNext(); ) {
            HwWaiter w = it.next();
            if (w.offset() <= hw) {
                done.add(w);
                it.remove();
            }
        }
        return done;
    }

    private void failHwWaiters(RuntimeException error) {
        List<HwWaiter> failed;
        synchronized (this) {
            failed = new ArrayList<>(hwWaiters);
            hwWaiters.clear();
        }
        failed.forEach(w -> w.future().completeExceptionally(error));
    }

    // ---- epochs ----

    /**
     * Where {@code epoch} ends in this replica's log, with Kafka's answer for an epoch older than every epoch the
     * cache still has (its history was deleted): that epoch with the first known epoch's start offset, so a
     * follower truncates to where this log's known history begins. Otherwise the log's own answer: the largest
     * epoch {@code <= epoch} and the start of the next one (the log end offset for the latest), or
     * {@link EpochEndOffset#UNDEFINED} when the cache is empty.
     */
    public EpochEndOffset epochEndOffset(int epoch) {
        EpochEndOffset end = log.endOffsetForEpoch(epoch);
        if (end.epoch() >= 0 || epoch < 0) {
            return end;
        }
        List<io.herald.storage.epoch.EpochEntry> entries = log.epochEntries();
        if (!entries.isEmpty() && epoch < entries.get(0).epoch()) {
            return new EpochEndOffset(epoch, entries.get(0).startOffset());
        }
        return end;
    }

    /**
     * Checks a request's idea of the leader epoch (KIP-320): -1 means the client does not know; an older
     * epoch is fenced; a newer one means this broker has not seen that metadata yet.
     */
    public void checkLeaderEpoch(int requestEpoch) {
        if (requestEpoch < 0) {
            return;
        }
        int current = state.leaderEpoch();
        if (requestEpoch < current) {
            throw new FencedLeaderEpochException("Request epoch " + requestEpoch + " is older than the current "
                    + "leader epoch " + current + " of " + topicPartition);
        }
        if (requestEpoch > current) {
            throw new UnknownLeaderEpochException("Request epoch " + requestEpoch + " is newer than the current "
                    + "leader epoch " + current + " of " + topicPartition);
        }
    }

    private NotLeaderOrFollowerException notLeader() {
        return new NotLeaderOrFollowerException("Broker " + ctx.localBrokerId() + " is not the leader of "
                + topicPartition + " (leader " + state.leaderId() + ", epoch " + state.leaderEpoch() + ")");
    }

    @Override
    public String toString() {
        State s = state;
        return "Partition(" + topicPartition + ", leader=" + s.leaderId() + ", epoch=" + s.leaderEpoch() + ", isr="
                + s.isr() + ", hw=" + log.highWatermark() + ", leo=" + log.logEndOffset() + ")";
    }
}
